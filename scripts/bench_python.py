#!/usr/bin/env python3
"""Speed and memory of the Python package (python/, `import ingot`) beside safetensors, in one run.

    /work/venv/bin/python scripts/bench_python.py [--dir /tmp/ingot-pybench] [--gib 2]

Needs: the package (pip install ./python), safetensors, numpy, ml_dtypes (torch optional). Prints a markdown table
with ratios. Measures, with the files warm in the page cache (best of several runs):
 1. get_tensor of raw f32 tensors (open + every tensor, numpy and torch) vs safetensors.safe_open on the same
    tensors. Ingot checks each tensor's XXH3 on its first read (so every byte is read, as safetensors' copy does).
 2. Compressed bf16 decode on ONE thread (safe_open(threads=1)): all-MiniLM-L6-v2 cast to bf16 when
    /tmp/ingot-minilm has it (scripts/minilm.py downloads it), else synthetic N(0, 0.02) weights; GB/s of decoded
    bytes, with and without the checksum, and the C decoder alone.
 3. load_file of a ~2 GiB file (raw f32, and bf16 compressed) in a fresh process: peak RSS against the bytes of the
    tensors it returns.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import time

import ml_dtypes
import numpy as np

import ingot
import ingot.numpy
from ingot import _ingot


def best(fn, runs):
    t = []
    for _ in range(runs):
        s = time.perf_counter()
        fn()
        t.append(time.perf_counter() - s)
    return min(t)


def drop(path):
    pass


def minilm_bf16():
    hits = glob.glob("/tmp/ingot-minilm/**/model.safetensors", recursive=True)
    if not hits:
        return None, "synthetic"
    from safetensors.numpy import load_file

    d = load_file(hits[0])
    return {k: v.astype(ml_dtypes.bfloat16) for k, v in d.items() if v.dtype == np.float32}, "all-MiniLM-L6-v2 (bf16)"


def peak_rss(path, code):
    # VmHWM (peak RSS) is reset by exec, unlike ru_maxrss, which a child inherits from the forking parent
    hwm = "int([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]) * 1024"
    prog = f"""
import numpy as np
import ingot.numpy
d = ingot.numpy.load_file({path!r})
n = sum(v.nbytes for v in d.values())
{code}
print(n, {hwm})
"""
    base = subprocess.run([sys.executable, "-c", f"import numpy, ingot.numpy; print({hwm})"],
                          capture_output=True, text=True, check=True)
    r = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, check=True)
    n, rss = map(int, r.stdout.split())
    return n, rss, int(base.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp/ingot-pybench")
    ap.add_argument("--gib", type=float, default=2.0)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    from safetensors import safe_open as st_open
    from safetensors.numpy import save_file as st_save

    rows = []
    cpu = _ingot.cpu()
    print(f"CPU: {open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].splitlines()[0].strip()}, "
          f"{os.cpu_count()} cores, kernels: {'AVX-512' if cpu['avx512f'] else 'AVX2' if cpu['avx2_fma'] else 'scalar'} available"
          f" (the rANS decoder picks AVX2 at run time)")

    # 1. raw get_tensor
    rng = np.random.default_rng(0)
    tensors = {f"layer.{i}.weight": (rng.standard_normal((1024, 4096), dtype=np.float32) * 0.02) for i in range(16)}
    total = sum(v.nbytes for v in tensors.values())
    stp, igp = os.path.join(a.dir, "raw.safetensors"), os.path.join(a.dir, "raw.ingot")
    st_save(tensors, stp)
    ingot.numpy.save_file(tensors, igp)

    def read_st(fw, touch=False):
        def f():
            with st_open(stp, framework=fw) as h:
                for k in h.keys():
                    t = h.get_tensor(k)
                    if touch:
                        t.sum()
        return f

    def read_ig(fw, touch=False):
        def f():
            with ingot.safe_open(igp, framework=fw) as h:
                for k in h.keys():
                    t = h.get_tensor(k)
                    if touch:
                        t.sum()
        return f

    frameworks = ["numpy"]
    try:
        import torch  # noqa: F401
        frameworks.append("pt")
    except ImportError:
        pass
    for fw in frameworks:
        for touch in (False, True):
            read_st(fw, touch)(), read_ig(fw, touch)()
            ts, ti = best(read_st(fw, touch), a.runs), best(read_ig(fw, touch), a.runs)
            what = "get_tensor + sum()" if touch else "get_tensor"
            rows.append((f"{what}, raw f32, {fw} ({total >> 20} MiB, 16 tensors)", f"{total / ti / 1e9:.2f} GB/s",
                         f"{total / ts / 1e9:.2f} GB/s", f"{ts / ti:.2f}× safetensors"))

    # 2. compressed bf16 decode, one thread
    w, label = minilm_bf16()
    if w is None:
        w = {f"w{i}": (rng.standard_normal((1024, 4096)) * 0.02).astype(ml_dtypes.bfloat16) for i in range(8)}
    reps = max(1, int(256e6 // sum(v.nbytes for v in w.values())))
    w = {f"{k}.{r}": v for r in range(reps) for k, v in w.items()}  # ~256 MB of decoded bytes
    nbytes = sum(v.nbytes for v in w.values())
    cp = os.path.join(a.dir, "bf16.ingot")
    ingot.numpy.save_file(w, cp, compress=3)
    stored = os.path.getsize(cp)

    def dec(verify):
        def f():
            with ingot.safe_open(cp, threads=1) as h:
                for k in h.keys():
                    if verify:
                        h.get_tensor(k)
                    else:
                        h._file.decode(h._file.entry(k), verify=False)
        return f

    with ingot.safe_open(cp) as h:
        entries = [h._file.entry(k) for k in h.keys()]
        stored_views = [(bytes(h._file.stored(e)), e) for e in entries]
    outs = [np.empty(e.byte_size, np.uint8) for _, e in stored_views]

    def c_only():
        for (s, e), o in zip(stored_views, outs):
            n = 0 if e.chunk_size is None else (e.byte_size - 1) // e.chunk_size + 1
            if e.chunk_size is None:
                o[:] = np.frombuffer(s, np.uint8)
            else:
                _ingot.decode_chunks(s, o, e.byte_size, e.chunk_size, e.planes, 0, n, 1)

    dec(True)()
    for lbl, fn in [("get_tensor (decode + XXH3 check)", dec(True)), ("decode only (no checksum)", dec(False)),
                    ("C decoder alone (_ingot.decode_chunks)", c_only)]:
        t = best(fn, a.runs)
        rows.append((f"compressed bf16, 1 thread: {lbl}", f"{nbytes / t / 1e9:.2f} GB/s", "",
                     f"{label}, {nbytes / 1e6:.0f} MB → {stored / nbytes * 100:.1f}% stored"))

    # 3. load_file of ~2 GiB: peak RSS
    n_t = max(1, int(a.gib * (1 << 30) // (256 << 20)))
    big = os.path.join(a.dir, "big.ingot")
    bigc = os.path.join(a.dir, "big-bf16-zstd.ingot")
    if not os.path.exists(big):
        ingot.numpy.save_file({f"t{i}": np.full((64 << 20,), i, np.float32) + rng.standard_normal(64 << 20, dtype=np.float32)
                               for i in range(n_t)}, big)
    if not os.path.exists(bigc):
        ingot.numpy.save_file({f"t{i}": (rng.standard_normal(128 << 20, dtype=np.float32) * 0.02).astype(ml_dtypes.bfloat16)
                               for i in range(n_t)}, bigc, compress=3)
    for path, lbl in [(big, "raw f32"), (bigc, "bf16 compressed")]:
        n, rss, base = peak_rss(path, "")
        rows.append((f"load_file {lbl}, {os.path.getsize(path) / (1 << 30):.2f} GiB file", f"peak RSS {rss / (1 << 30):.2f} GiB",
                     "", f"tensors {n / (1 << 30):.2f} GiB; interpreter+numpy alone {base / (1 << 20):.0f} MiB; "
                         f"RSS − tensors − interpreter = {(rss - n - base) / (1 << 20):.0f} MiB"))

    print()
    print("| measurement | ingot | safetensors | note |")
    print("|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
