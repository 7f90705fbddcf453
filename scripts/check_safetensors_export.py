#!/usr/bin/env python3
"""Checks a safetensors file written by Ingot with the official `safetensors` package.

    python3 scripts/check_safetensors_export.py EXPORTED.safetensors SOURCE

SOURCE is the file the export came from: a .safetensors (read with safetensors), or a .npz / .npy (read with
numpy). The export must load with `safetensors.numpy.load_file` and hold the same tensors: same names, dtypes,
shapes and bit-identical bytes (NaN payloads included); for a safetensors source the `__metadata__` must match
too. Run by hand (needs numpy and safetensors); CI does not run it. Exit status 0 when everything matches.
"""
import json
import struct
import sys

import numpy as np

try:
    import ml_dtypes  # noqa: F401  (registers bfloat16 with numpy, which safetensors.numpy needs for BF16)
except ImportError:
    pass
from safetensors import safe_open
from safetensors.numpy import load_file


def load_source(path):
    if path.endswith(".npz"):
        with np.load(path, allow_pickle=False) as z:
            return {k: np.asarray(z[k], order="C") for k in z.files}, None
    if path.endswith(".npy"):
        name = path.rsplit("/", 1)[-1][: -len(".npy")] or "array"
        # asarray, not ascontiguousarray: the latter turns 0-d arrays into 1-d ones.
        return {name: np.asarray(np.load(path, allow_pickle=False), order="C")}, None
    with safe_open(path, framework="numpy") as f:
        meta = f.metadata()
    return load_file(path), meta


def little_endian(a):
    return a.astype(a.dtype.newbyteorder("<"), copy=False)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    exported_path, source_path = sys.argv[1], sys.argv[2]
    problems = []

    with open(exported_path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    if n % 8:
        problems.append(f"header length {n} is not a multiple of 8 (the official writer pads to 8)")
    header = json.loads(raw[8 : 8 + n])
    if "__metadata__" in header and list(header)[0] != "__metadata__":
        problems.append("__metadata__ is not the first header key")

    exported = load_file(exported_path)  # the official reader validates the whole layout
    with safe_open(exported_path, framework="numpy") as f:
        exported_meta = f.metadata()
    source, source_meta = load_source(source_path)

    if set(exported) != set(source):
        problems.append(f"tensor names differ: only exported {sorted(set(exported) - set(source))}, "
                        f"only source {sorted(set(source) - set(exported))}")
    for name in sorted(set(exported) & set(source)):
        a, b = exported[name], little_endian(source[name])
        if a.dtype != b.dtype:
            problems.append(f"{name}: dtype {a.dtype} != {b.dtype}")
        elif a.shape != b.shape:
            problems.append(f"{name}: shape {a.shape} != {b.shape}")
        elif a.tobytes() != b.tobytes():
            problems.append(f"{name}: bytes differ")
    if source_meta is not None and (exported_meta or {}) != (source_meta or {}):
        problems.append(f"metadata differs: {exported_meta!r} != {source_meta!r}")

    total = sum(t.nbytes for t in exported.values())
    if problems:
        print(f"FAIL {exported_path} vs {source_path}:")
        for p in problems:
            print("  " + p)
        return 1
    print(f"OK {exported_path}: {len(exported)} tensors, {total} bytes, metadata "
          f"{'matches' if source_meta is not None else 'not compared'}; loads with safetensors "
          f"and equals {source_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
