#!/usr/bin/env python3
"""How far llama.cpp's logits move between its own arithmetic variants, next to how far they are from Ingot's.

gguf_matrix.py asks llama.cpp and `ingot logits --activations q8` to agree to NMSE < 1e-3 and 95 % same argmax. On
SmolLM2 (30 layers, 8-bit activations) the remaining misses are at that size; this script measures llama.cpp against
itself on the same file — thread count, batch size (its prompt path vs one token at a time), flash attention on/off
— so the two spreads can be compared. Sequence: the first 96 tokens of fixtures/eval/text.txt (as gguf_matrix.py).

Usage: python3 scripts/llama_self_consistency.py [GGUF]   (default: SmolLM2-135M-Instruct Q4_1 from gguf_matrix.py)
"""
import os, subprocess, sys, tempfile

import numpy as np

from benchlib import INGOT, ROOT, build_release
from gguf_matrix import smollm2_gguf


def main():
    build_release(("ingot",))
    path = sys.argv[1] if len(sys.argv) > 1 else smollm2_gguf()
    text = open(os.path.join(ROOT, "fixtures/eval/text.txt"), encoding="utf-8").read()[:2000]
    ids = [int(x) for x in subprocess.run([INGOT, "tokenize", path, text], check=True, capture_output=True, text=True).stdout.split()][:96]
    out = os.path.join(tempfile.mkdtemp(), "q8.npy")
    subprocess.run([INGOT, "logits", path, "--tokens", ",".join(map(str, ids)), "-o", out, "--activations", "q8"], check=True,
                   capture_output=True)
    ingot = np.load(out).astype(np.float64)
    from llama_cpp import Llama

    def run(**kw):
        llm = Llama(model_path=path, logits_all=True, n_ctx=256, verbose=False, type_k=0, type_v=0, **kw)
        llm.eval(ids)
        return np.array(llm.scores[:len(ids)], dtype=np.float64)

    def cmp(a, b):
        return f"NMSE {((a - b) ** 2).sum() / (b ** 2).sum():.3g}, same argmax {(a.argmax(-1) == b.argmax(-1)).mean() * 100:.1f} %"

    base = run(n_threads=2)
    print(f"| llama.cpp variant | vs llama.cpp default (f32 KV, batch 96, 2 threads) | vs ingot --activations q8 |\n|---|---|---|")
    print(f"| default | — | {cmp(base, ingot)} |")
    for name, kw in [("1 thread", dict(n_threads=1)), ("batch 16", dict(n_threads=2, n_batch=16, n_ubatch=16)),
                     ("batch 1 (decode path)", dict(n_threads=2, n_batch=1, n_ubatch=1)),
                     ("flash attention", dict(n_threads=2, flash_attn=True))]:
        o = run(**kw)
        print(f"| {name} | {cmp(o, base)} | {cmp(o, ingot)} |")


if __name__ == "__main__":
    sys.exit(main())
