#!/usr/bin/env python3
"""Every side-by-side benchmark in one run, one table of ratios against the goals, with the CPU class — so a
regression shows in one command. Not CI (tens of minutes on 2 cores; needs the peers of each script).

  python3 scripts/bench_all.py [--simd avx2] [--llama-python AVX2_VENV/bin/python] [--only NAME,…] [--skip NAME,…]

Runs: compression (vs zstd/zipnn, scripts/bench_compression.py), quantize (vs llama.cpp's quantizer,
bench_quant_llamacpp.py), generate (decode/prompt vs llama.cpp, bench_generate.py), forward (128-token forward pass vs
transformers and llama.cpp, smollm2.py bench), open_read (open/list vs safetensors, read vs cat, bench_open_read.py). Each prints a
`BENCH_RESULT {json}` line that is collected here.

`--simd avx2` measures the AVX2-only configuration on any CPU that has AVX2: Ingot's kernels capped at AVX2
(`INGOT_SIMD=avx2`), OpenBLAS's Haswell core, torch's AVX2 kernels (`ATEN_CPU_CAPABILITY=avx2`,
`MKL_ENABLE_INSTRUCTIONS=AVX2`, `ONEDNN_MAX_CPU_ISA=AVX2`), and llama.cpp from
`--llama-python` (a venv whose llama-cpp-python was built with -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=OFF;
the scripts that load llama.cpp in-process then run under that Python). Never asks for more than the CPU has.
"""
import argparse, json, os, subprocess, sys

from benchlib import cpu_class, cpu_name, ingot_env

HERE = os.path.dirname(os.path.abspath(__file__))

# (bench, figure, goal, direction): direction ">=" means at least the goal.
GOALS = [
    ("compression", "bf16_stored_pct", 66.5, "<="),
    ("compression", "bf16_compress_gbps", 0.5, ">="),
    ("compression", "bf16_decompress_gbps", 1.5, ">="),
    # The goals compare like with like: ggml's reference algorithm on both sides (`--method ref`). The default search
    # scores 16-32 candidate scales per group where ggml computes one; its ratios are shown, not judged.
    ("quantize", "q8_0_ref_speed_ratio", 1.0, ">="),
    ("quantize", "q4_0_ref_speed_ratio", 1.0, ">="),
    ("quantize", "q4_1_ref_speed_ratio", 1.0, ">="),
    ("quantize", "q8_0_ref_gbps", 1.0, ">="),
    ("quantize", "q4_0_ref_gbps", 1.0, ">="),
    ("quantize", "q4_1_ref_gbps", 1.0, ">="),
    ("quantize", "q8_0_speed_ratio", None, "info"),
    ("quantize", "q4_0_speed_ratio", None, "info"),
    ("quantize", "q4_1_speed_ratio", None, "info"),
    ("generate", "decode_ratio", 1.0, ">="),
    ("generate", "prompt_ratio", 1.0, "<="),
    ("forward", "forward_vs_transformers", 0.5, "<="),
    ("forward", "forward_vs_llama", 0.5, "<="),  # last-position logits on both sides (a prompt pass)
    ("forward", "forward_last_vs_transformers", None, "info"),
    ("forward", "forward_all_vs_llama", None, "info"),
    ("open_read", "open_list_vs_safetensors", None, "info"),
    ("open_read", "read_vs_cat", 0.8, ">="),
]


def runs(llama_python, simd):
    py = sys.executable
    gen = [py, "bench_generate.py"] + (["--simd", simd] if simd else []) + ["--llama-python", llama_python]
    return {
        "compression": [py, "bench_compression.py"],
        # llama.cpp's quantizer runs in-process: under the Python whose llama.cpp build matches the configuration.
        "quantize": [llama_python, "bench_quant_llamacpp.py"],
        "generate": gen,
        "forward": [py, "smollm2.py", "bench", "--llama-python", llama_python],
        "open_read": [py, "bench_open_read.py"],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--simd", choices=["avx2"])
    ap.add_argument("--llama-python", default=sys.executable)
    ap.add_argument("--only")
    ap.add_argument("--skip", default="")
    a = ap.parse_args()
    env = ingot_env(a.simd)
    if a.simd == "avx2":
        # torch: ATen's own kernels, and the MKL / oneDNN matrix products it calls (which dispatch on their own).
        env["ATEN_CPU_CAPABILITY"] = "avx2"
        env["MKL_ENABLE_INSTRUCTIONS"] = "AVX2"
        env["ONEDNN_MAX_CPU_ISA"] = "AVX2"
    results, logs = {}, {}
    for name, cmd in runs(a.llama_python, a.simd).items():
        if (a.only and name not in a.only.split(",")) or name in a.skip.split(","):
            continue
        print(f"== {name}: {' '.join(os.path.basename(c) for c in cmd)}", flush=True)
        p = subprocess.run(cmd, cwd=HERE, env=env, capture_output=True, text=True)
        logs[name] = p.stdout + p.stderr
        for line in p.stdout.splitlines():
            if line.startswith("BENCH_RESULT "):
                results[name] = json.loads(line[len("BENCH_RESULT "):])
        if name not in results:
            print(f"   failed (exit {p.returncode}):\n" + "\n".join(logs[name].splitlines()[-8:]))
    print(f"\nCPU: {cpu_name()} (class {cpu_class()}); configuration: {a.simd or 'native'}"
          f"{'; INGOT_SIMD=avx2, OPENBLAS_CORETYPE=Haswell, torch capped at AVX2' if a.simd else ''}")
    print(f"{'bench':12} {'figure':28} {'value':>9} {'goal':>9}  ")
    failed = 0
    for bench, figure, goal, d in GOALS:
        v = results.get(bench, {}).get(figure)
        if v is None:
            print(f"{bench:12} {figure:28} {'-':>9} {d + str(goal or ''):>9}  not run")
            continue
        if goal is None:
            print(f"{bench:12} {figure:28} {v:9.3f} {'-':>9}  (no goal)")
            continue
        ok = v >= goal if d == ">=" else v <= goal
        failed += not ok
        print(f"{bench:12} {figure:28} {v:9.3f} {d + str(goal):>9}  {'ok' if ok else 'MISS'}")
    print(json.dumps({"configuration": a.simd or "native", "cpu_class": cpu_class(), "results": results}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
