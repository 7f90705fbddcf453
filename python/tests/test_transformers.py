"""ingot.transformers.load_state_dict into real transformers models (skipped without torch + transformers)."""
import os

import pytest

from conftest import FIXTURES, needs_cli

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
import ingot.transformers as it  # noqa: E402

MODELS = [("llama_tied-raw", "models/llama-tied/safetensors", "AutoModelForCausalLM"),
          ("llama_gqa-zstd3", "models/llama-gqa/safetensors", "AutoModelForCausalLM"),
          ("qwen2-raw", "models/qwen2/safetensors", "AutoModelForCausalLM"),
          ("gpt2-zstd3", "models/gpt2/safetensors", "AutoModelForCausalLM"),
          ("bert-raw", "models/bert/safetensors", "AutoModel")]


@needs_cli
@pytest.mark.parametrize("case,src,auto", MODELS)
def test_load_state_dict(corpus, case, src, auto):
    path, _ = corpus[case]
    cls = getattr(transformers, auto)
    ref = cls.from_pretrained(os.path.join(FIXTURES, src))
    cfg = transformers.AutoConfig.for_model(**it.config_dict(path))
    model = cls.from_config(cfg)
    result = model.load_state_dict(it.load_state_dict(path), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    want = ref.state_dict()
    for k, v in model.state_dict().items():
        assert torch.equal(v, want[k]), k
