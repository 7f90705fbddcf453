"""Helpers shared by the benchmark scripts: run a command, best-of-N timing, build the release binaries."""
import json, os, subprocess, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, ".build/release/ingot-bench")
INGOT = os.path.join(ROOT, ".build/release/ingot")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def best_of(n, fn):
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def build_release(products=("ingot", "ingot-bench")):
    for product in products:
        run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT)


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_class():
    """'avx512' (AVX-512F), 'avx2' (AVX2+FMA+F16C, no AVX-512) or 'baseline'."""
    f = cpu_flags()
    if "avx512f" in f:
        return "avx512"
    if {"avx2", "fma", "f16c"} <= f:
        return "avx2"
    return "baseline"


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def ingot_env(simd=None):
    """Environment for Ingot runs. simd None: Ingot's own choice (the CLI picks OpenBLAS's core itself). 'avx2':
    force Ingot's AVX2 kernels and OpenBLAS's Haswell core, to measure an AVX2-only CPU on an AVX-512 one. Never
    asks for an instruction set the CPU lacks."""
    env = dict(os.environ)
    if simd is None:
        return env
    if simd == "avx2":
        if cpu_class() == "baseline":
            raise SystemExit("this CPU has no AVX2: cannot measure the AVX2 path")
        env["INGOT_SIMD"] = "avx2"
        env["OPENBLAS_CORETYPE"] = "Haswell"
    elif simd == "scalar":
        env["INGOT_SIMD"] = "scalar"
    else:
        raise SystemExit(f"unknown simd level {simd}")
    return env


def openblas_core(env):
    """The OpenBLAS core an ingot process runs with under `env` (what `OPENBLAS_CORETYPE` or the CLI's choice gives)."""
    return env.get("OPENBLAS_CORETYPE") or "auto (the CLI's choice)"


def report(name, **figures):
    """The machine-readable line `scripts/bench_all.py` collects: BENCH_RESULT {"bench": name, ...figures}."""
    print("BENCH_RESULT " + json.dumps({"bench": name, "cpu_class": cpu_class(), **figures}), flush=True)
