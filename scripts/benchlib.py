"""Helpers shared by the benchmark scripts: run a command, best-of-N timing, build the release binaries."""
import os, subprocess, time

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
