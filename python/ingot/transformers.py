"""Hugging Face state dicts from Ingot files.

Ingot's canonical tensor names are the Hugging Face names of each family's base checkpoint (specs/canonical.md):
`model.layers.N.…` for llama and qwen2 (LlamaForCausalLM / Qwen2ForCausalLM), `transformer.h.N.…` for gpt2
(GPT2LMHeadModel), BertModel's names for bert. A file converted from GGUF was already mapped to these names (and
its q/k rows un-permuted) by `ingot convert`. So the state dict is the file's tensors under their own names — what
`ingot convert X.ingot -o DIR/` writes into DIR/model.safetensors — with block-quantized tensors dequantized to
float32, plus the output head for models with tied embeddings (the export leaves it to `from_pretrained` to tie it;
`model.load_state_dict` needs it present).
"""

from __future__ import annotations

from ._open import safe_open

__all__ = ["load_state_dict", "config_dict"]

# family -> (tied head, the embedding it shares)
_TIED = {
    "llama": ("lm_head.weight", "model.embed_tokens.weight"),
    "qwen2": ("lm_head.weight", "model.embed_tokens.weight"),
    "gpt2": ("lm_head.weight", "transformer.wte.weight"),
}


def load_state_dict(path, *, device="cpu", dtype=None, tie_embeddings: bool = True, prefix: str = ""):
    """{Hugging Face name: torch.Tensor} for `model.load_state_dict(...)`.

    dtype: cast float tensors (e.g. torch.float32) — quantized tensors come as float32 either way.
    tie_embeddings: add `lm_head.weight` (the same tensor as the token embedding) when the file's model ties them
    and has no head of its own (llama, qwen2, gpt2).
    prefix: prepended to every name (e.g. "bert." for BertForMaskedLM-style task models)."""
    import torch

    with safe_open(path, framework="pt", device=device) as f:
        meta = f.metadata()
        sd = {}
        for k in f.keys():
            t = f.get_tensor(k)
            if dtype is not None and t.is_floating_point():
                t = t.to(dtype)
            sd[k] = t
    arch = meta.get("ingot.architecture")
    cfg = meta.get("ingot.config") if isinstance(meta.get("ingot.config"), dict) else {}
    if tie_embeddings and arch in _TIED:
        head, emb = _TIED[arch]
        tied = cfg.get("tied_embeddings", arch == "gpt2")
        if tied and head not in sd and emb in sd:
            sd[head] = sd[emb]
    if prefix:
        sd = {prefix + k: v for k, v in sd.items()}
    assert all(isinstance(v, torch.Tensor) for v in sd.values())
    return sd


def config_dict(path) -> dict:
    """The Hugging Face config.json the file was converted with (`ingot.hf_config`), or {} when it has none."""
    with safe_open(path) as f:
        c = f.metadata().get("ingot.hf_config")
    return dict(c) if isinstance(c, dict) else {}
