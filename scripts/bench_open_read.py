#!/usr/bin/env python3
"""Benchmark: open + list, and read-all throughput, for Ingot vs its peers — in one run, printed as ratios.

1. Open + list a >= 2 GiB container vs a 2 MiB one (Ingot opens in O(header): the ratio should be ~1), and vs
   `safetensors.safe_open` listing the same tensors (names + shapes).
2. Read every raw tensor of the big container (XXH3 over the decoded bytes, as `ingot check` does) vs
   `cat FILE > /dev/null` on the same file, both with the page cache warm. Goal: >= 0.8x cat's throughput.

Needs: numpy, safetensors (pip). Builds Ingot in release. Usage: python3 scripts/bench_open_read.py [--gib 2.1]
Files go to $INGOT_BENCH_DIR (default /tmp/ingot-bench) and are reused between runs.
"""
import argparse, json, os, subprocess, sys, time

from benchlib import BENCH, INGOT, best_of, build_release, run, report



def make_safetensors(path, total_bytes, tensor_bytes):
    import numpy as np
    from safetensors.numpy import save_file
    if os.path.exists(path):
        return
    rng = np.random.default_rng(0)
    n = max(1, total_bytes // tensor_bytes)
    cols = 1024
    rows = tensor_bytes // 4 // cols
    tensors = {}
    for i in range(n):
        tensors[f"model.layers.{i}.weight"] = (rng.standard_normal((rows, cols), dtype=np.float32) * 0.02)
    save_file(tensors, path + ".tmp")
    os.replace(path + ".tmp", path)




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gib", type=float, default=2.1)
    args = ap.parse_args()
    d = os.environ.get("INGOT_BENCH_DIR", "/tmp/ingot-bench")
    os.makedirs(d, exist_ok=True)
    build_release()

    big_st, small_st = os.path.join(d, "big.safetensors"), os.path.join(d, "small.safetensors")
    make_safetensors(big_st, int(args.gib * (1 << 30)), 8 << 20)
    make_safetensors(small_st, 2 << 20, 64 << 10)
    big, small = os.path.join(d, "big.ingot"), os.path.join(d, "small.ingot")
    for s, o in [(big_st, big), (small_st, small)]:
        if not os.path.exists(o):
            run([INGOT, "convert", s, "-o", o])

    # 1. open + list
    ob = json.loads(run([BENCH, "open", big, "--repeat", "30"]))
    os_ = json.loads(run([BENCH, "open", small, "--repeat", "30"]))
    from safetensors import safe_open

    def st_list(p):
        with safe_open(p, "np") as f:
            for k in f.keys():
                f.get_slice(k).get_shape()

    st_big = best_of(30, lambda: st_list(big_st))
    print(f"open+list  ingot {ob['tensors']} tensors / {os.path.getsize(big)/2**30:.2f} GiB: {ob['open_list_seconds']*1e3:.3f} ms")
    print(f"open+list  ingot {os_['tensors']} tensors / {os.path.getsize(small)/2**20:.2f} MiB: {os_['open_list_seconds']*1e3:.3f} ms")
    print(f"open+list  safetensors.safe_open, same {ob['tensors']} tensors: {st_big*1e3:.3f} ms")
    print(f"  ratio big/small (ingot): {ob['open_list_seconds']/os_['open_list_seconds']:.2f}x   "
          f"ingot/safetensors: {ob['open_list_seconds']/st_big:.3f}x")

    # 2. read all vs cat (warm cache: one untimed pass each first)
    size = os.path.getsize(big)
    subprocess.run(f"cat {big} > /dev/null", shell=True, check=True)
    cat = best_of(3, lambda: subprocess.run(f"cat {big} > /dev/null", shell=True, check=True))
    reads = [json.loads(run([BENCH, "read", big])) for _ in range(3)]
    rd = min(r["read_seconds"] for r in reads)
    print(f"read all   cat: {size/cat/1e9:.2f} GB/s   ingot (mmap + XXH3 verify): {size/rd/1e9:.2f} GB/s   "
          f"ratio ingot/cat: {cat/rd:.2f}x (goal >= 0.8)")
    report("open_read", open_list_vs_safetensors=ob['open_list_seconds'] / st_big, read_vs_cat=cat / rd,
           read_gbps=size / rd / 1e9)


if __name__ == "__main__":
    sys.exit(main())
