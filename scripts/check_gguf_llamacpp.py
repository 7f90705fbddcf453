#!/usr/bin/env python3
"""GGUF files written by Ingot run in llama.cpp, and its logits agree with transformers' on the source (not CI).

For the fixture Hugging Face model with a tokenizer (llama-gqa: GQA, llama3 rope scaling): `ingot convert DIR -o X.gguf`
(and a q8_0 variant via an .ingot), load X.gguf with llama-cpp-python, evaluate the fixture tokens, and compare its
logits with transformers' (fixtures/models/<model>/logits.npy). Also reports llama.cpp on the fixture GGUFs written
the way llama.cpp's own converter does, as the yardstick for "llama.cpp's usual tolerance".

Needs: llama-cpp-python, numpy. Usage: python3 scripts/check_gguf_llamacpp.py
"""
import json, os, subprocess, sys, tempfile
import numpy as np
from benchlib import INGOT, ROOT, build_release, run


def llama_logits(path, ids):
    from llama_cpp import Llama
    llm = Llama(model_path=path, logits_all=True, n_ctx=128, n_threads=2, verbose=False)
    llm.eval(ids)
    return np.array(llm.scores[:len(ids)], dtype=np.float32)


def nmse(a, b):
    a, b = a.astype(np.float64), b.astype(np.float64)
    return float(((a - b) ** 2).sum() / (b ** 2).sum())


def main():
    build_release(("ingot",))
    ids = json.load(open(os.path.join(ROOT, "fixtures/models/tokens.json")))
    ids = ids["ids"] if isinstance(ids, dict) else ids
    with tempfile.TemporaryDirectory() as t:
        # Only llama-gqa carries a tokenizer.json: llama.cpp refuses to load a model without tokenizer keys (Ingot warns).
        for model, fixture_gguf in [("llama-gqa", "llama-gqa-F32.gguf")]:
            ref = np.load(os.path.join(ROOT, f"fixtures/models/{model}/logits.npy"))
            src = os.path.join(ROOT, f"fixtures/models/{model}/safetensors")
            out = os.path.join(t, f"{model}.gguf")
            run([INGOT, "convert", src, "-o", out])
            q = os.path.join(t, f"{model}-q8.ingot")
            run([INGOT, "convert", src, "-o", q, "--quantize", "q8_0"])
            out8 = os.path.join(t, f"{model}-q8_0.gguf")
            run([INGOT, "convert", q, "-o", out8])
            for label, path in [("ingot export f32", out), ("ingot export q8_0", out8),
                                ("llama.cpp-style fixture " + fixture_gguf, os.path.join(ROOT, f"fixtures/models/{model}/gguf/{fixture_gguf}"))]:
                l = llama_logits(path, ids)
                same = (l.argmax(-1) == ref.argmax(-1)).mean()
                print(f"{model:10} {label:42} llama.cpp vs transformers: NMSE {nmse(l, ref):.3e}  same argmax {100 * same:5.1f}%")


if __name__ == "__main__":
    sys.exit(main())
