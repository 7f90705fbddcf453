#!/usr/bin/env python3
"""K-quant scoreboard: Ingot's quantizer vs llama.cpp's on SmolLM2-135M-Instruct, side by side in one run (not CI).

Reference: SmolLM2's GGUF dequantized to f32 (`ingot convert smollm2.gguf -o f32.gguf --dtype f32`). Both tools
quantize that file with the same llama.cpp mix; with `--imatrix`, both use the same importance matrix (`ingot
calibrate` on the calibration text; llama-quantize reads Ingot's GGUF imatrix). Every candidate is scored by
`ingot verify` against the f32 reference on a different, held-out text (the built-in evaluation text), so both
tools are judged by one yardstick. Prints, per type: bits per weight, size, mean / p99 KLD, same top token, PPL
ratio, quantize time — and the Ingot / llama.cpp ratios the goals are about.

  python3 scripts/kquant_scoreboard.py [--types q4_k_m,q6_k,...] [--simd avx2] [--llama-tools DIR]
                                       [--calibration FILE] [--heldout FILE] [--chunks N] [--no-verify] [--repeat N]

llama.cpp side: `llama-quantize` from scripts/build_llama_tools.sh (DIR, default ~/.cache/ingot/llama-tools) when
present — needed for the imatrix columns — else llama-cpp-python's llama_model_quantize (no imatrix).
"""
import argparse, ctypes, json, os, shutil, subprocess, sys, time
from benchlib import INGOT, ROOT, build_release, cpu_class, cpu_name, ingot_env, openblas_core, report, run
from smollm2 import WORK, gguf_path

FTYPES = {"q2_k": 10, "q3_k_s": 11, "q3_k_m": 12, "q3_k_l": 13, "q4_k_s": 14, "q4_k_m": 15, "q5_k_s": 16,
          "q5_k_m": 17, "q6_k": 18, "q4_0": 2, "q4_1": 3, "q5_0": 8, "q5_1": 9, "q8_0": 7}
LLAMA_NAMES = {"q2_k": "Q2_K", "q3_k_s": "Q3_K_S", "q3_k_m": "Q3_K_M", "q3_k_l": "Q3_K_L", "q4_k_s": "Q4_K_S",
               "q4_k_m": "Q4_K_M", "q5_k_s": "Q5_K_S", "q5_k_m": "Q5_K_M", "q6_k": "Q6_K", "q4_0": "Q4_0",
               "q4_1": "Q4_1", "q5_0": "Q5_0", "q5_1": "Q5_1", "q8_0": "Q8_0"}


def llama_quantize(tools, src, out, t, imatrix=None, threads=2):
    """llama.cpp's quantizer: the llama-quantize binary when built, else llama-cpp-python (no imatrix there)."""
    binary = os.path.join(tools, "llama-quantize") if tools else None
    if binary and os.path.exists(binary):
        cmd = [binary] + (["--imatrix", imatrix] if imatrix else []) + [src, out, LLAMA_NAMES[t], str(threads)]
        subprocess.run(cmd, check=True, capture_output=True)
        return
    if imatrix:
        raise SystemExit("llama-quantize is needed for --imatrix runs: scripts/build_llama_tools.sh")
    import llama_cpp
    p = llama_cpp.llama_model_quantize_default_params()
    p.ftype, p.nthread = FTYPES[t], threads
    rc = llama_cpp.llama_model_quantize(src.encode(), out.encode(), ctypes.byref(p))
    if rc != 0:
        raise SystemExit(f"llama_model_quantize failed ({rc})")


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def verify(env, ref, cand, heldout, chunks):
    cmd = [INGOT, "verify", cand, "--reference", ref, "--text", heldout, "--json", "--threads", "2"]
    if chunks:
        cmd += ["--chunks", str(chunks)]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode not in (0, 1):
        raise SystemExit(f"verify failed: {r.stderr}")
    return json.loads(r.stdout)["metrics"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--types", default="q2_k,q3_k_m,q4_k_s,q4_k_m,q5_k_m,q6_k,q4_0")
    ap.add_argument("--simd", choices=["avx2"], help="force Ingot's AVX2 kernels and OpenBLAS Haswell")
    ap.add_argument("--llama-tools", default=os.path.expanduser("~/.cache/ingot/llama-tools"))
    ap.add_argument("--calibration", default=os.path.join(ROOT, "fixtures/imatrix/calibration-smollm2.txt"))
    ap.add_argument("--heldout", default=os.path.join(ROOT, "fixtures/eval/text.txt"))
    ap.add_argument("--chunks", type=int, default=0, help="held-out windows to score (0: all)")
    ap.add_argument("--no-imatrix", action="store_true")
    ap.add_argument("--no-verify", action="store_true", help="quantize times only (quality does not depend on the CPU)")
    ap.add_argument("--repeat", type=int, default=1, help="best of N quantize runs (times), alternating between the tools")
    ap.add_argument("--method", choices=["search", "ref"], default="search", help="Ingot's quantizer (ref: ggml's)")
    a = ap.parse_args()
    env = ingot_env(a.simd)
    build_release(("ingot",))
    d = os.path.join(WORK, "kquants")
    os.makedirs(d, exist_ok=True)
    ref = os.path.join(d, "f32.gguf")
    if not os.path.exists(ref):
        run([INGOT, "convert", gguf_path(), "-o", ref, "--dtype", "f32"], env=env)
    has_tools = os.path.exists(os.path.join(a.llama_tools, "llama-quantize"))
    imatrix = None
    if not a.no_imatrix:
        imatrix = os.path.join(d, "calibration.imatrix")
        run([INGOT, "calibrate", ref, "--text", a.calibration, "-o", imatrix, "--force", "--threads", "2"], env=env)
    print(f"CPU: {cpu_name()} ({cpu_class()}); Ingot kernels: {env.get('INGOT_SIMD', 'best')}, OpenBLAS: "
          f"{openblas_core(env)}; llama.cpp: {'llama-quantize ' + a.llama_tools if has_tools else 'llama-cpp-python'}")
    print(f"reference {ref}; calibration {os.path.basename(a.calibration)}; held-out {os.path.basename(a.heldout)}")
    head = (f"{'type':7} {'tool':16} {'bpw':>5} {'MiB':>6} {'mean KLD':>9} {'p99 KLD':>8} {'same top':>8} "
            f"{'PPL ratio':>9} {'time s':>6}")
    print(head)
    rows = {}
    for t in a.types.split(","):
        variants = [("llama.cpp", None), ("ingot", None)]
        if a.method == "ref":
            pass  # ggml's reference takes no importance matrix
        elif imatrix and has_tools:
            variants += [("llama.cpp+imatrix", imatrix), ("ingot+imatrix", imatrix)]
        elif imatrix:
            variants += [("ingot+imatrix", imatrix)]
        # Repeats alternate between the variants, so a shared machine's load falls on every tool alike.
        outs = {tool: os.path.join(d, f"{t}-{tool.replace('+', '-')}.gguf") for tool, _ in variants}
        best = {tool: float("inf") for tool, _ in variants}
        for _ in range(a.repeat):
            for tool, im in variants:
                out = outs[tool]
                if os.path.exists(out):
                    os.remove(out)
                if tool.startswith("llama"):
                    secs = timed(lambda: llama_quantize(a.llama_tools if has_tools else None, ref, out, t, im))
                else:
                    cmd = [INGOT, "convert", ref, "-o", out, "--quantize", t, "--method", a.method] + (["--imatrix", im] if im else [])
                    secs = timed(lambda: run(cmd, env=env))
                best[tool] = min(best[tool], secs)
        for tool, im in variants:
            out, secs = outs[tool], best[tool]
            nan = float("nan")
            m = (dict(mean_kld=nan, p99_kld=nan, same_top1=nan, ppl_ratio=nan) if a.no_verify
                 else verify(env, ref, out, a.heldout, a.chunks))
            size = os.path.getsize(out)
            bpw = 8 * size / 134_515_008  # SmolLM2-135M's parameter count
            rows[(t, tool)] = dict(kld=m["mean_kld"], p99=m["p99_kld"], top=m["same_top1"], ppl=m["ppl_ratio"],
                                   secs=secs, size=size)
            print(f"{t:7} {tool:16} {bpw:5.2f} {size / 2**20:6.1f} {m['mean_kld']:9.5f} {m['p99_kld']:8.4f} "
                  f"{100 * m['same_top1']:7.2f}% {m['ppl_ratio']:9.4f} {secs:6.2f}", flush=True)
        for suffix in ["", "+imatrix"]:
            i, l = rows.get((t, "ingot" + suffix)), rows.get((t, "llama.cpp" + suffix))
            if i and l:
                r = dict(size_ratio=i["size"] / l["size"], speed_ratio=l["secs"] / i["secs"])
                if not a.no_verify:
                    r["kld_ratio"] = i["kld"] / l["kld"]
                print(f"{'':7} {'ingot/llama' + suffix:16} KLD {r.get('kld_ratio', float('nan')):.3f}×  size {r['size_ratio']:.4f}×  "
                      f"speed {r['speed_ratio']:.2f}× (>1: Ingot faster)")
                report(f"kquant_{t}{suffix.replace('+', '_')}", **r)
        i, w = rows.get((t, "ingot")), rows.get((t, "ingot+imatrix"))
        if i and w:
            print(f"{'':7} {'imatrix/plain':16} KLD {w['kld'] / i['kld']:.3f}× (Ingot with vs without the imatrix)")


if __name__ == "__main__":
    main()
