#!/usr/bin/env python3
"""Checks a GGUF file written by Ingot with gguf-py's reader (the `gguf` pip package).

    python3 scripts/check_gguf_export.py EXPORTED.gguf SOURCE

SOURCE is what the export came from: a .gguf (read with gguf-py) or a .safetensors (read with safetensors).
The export must load with `gguf.GGUFReader` and hold the same data:

  - from a .gguf: the same key-value pairs in the same order with the same types and bit-identical values
    (compared as the encoded bytes gguf-py reads, so NaN payloads, -0.0 and nested arrays count); the same
    tensors in the same order with the same names and shapes; tensors of a type Ingot keeps (F32, F16, BF16,
    F64, I8-I64, Q8_0, Q4_0, Q4_1) with the same type and identical bytes; Q5_0/Q5_1/Q4_K/Q5_K/Q6_K as F32
    equal to `gguf.quants.dequantize` of the source, bit for bit;
  - from a .safetensors: the same tensors (names, shapes, dtypes, bytes) and every __metadata__ entry as a
    string pair.

Every tensor offset must be a multiple of the file's alignment. Run by hand (needs gguf, numpy, and
safetensors for a .safetensors source); CI does not run it. Exit status 0 when everything matches.
To produce exports of the fixtures:  INGOT_GGUF_EXPORT_DIR=/tmp/gguf-export swift test --filter exportForThePythonCheck
"""
import importlib.metadata
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q

DEQUANTIZED = {Q.Q5_0, Q.Q5_1, Q.Q4_K, Q.Q5_K, Q.Q6_K}
NP_TO_GGML = {"float32": Q.F32, "float16": Q.F16, "float64": Q.F64, "int8": Q.I8, "int16": Q.I16, "int32": Q.I32,
              "int64": Q.I64}


def pairs(reader):
    """(key, [types], encoded bytes of the value) per pair, in file order, without gguf-py's GGUF.* entries."""
    out = []
    for name, field in reader.fields.items():
        if name.startswith("GGUF."):
            continue
        # parts: key length, key bytes, value type, then the value's parts (lengths, element types, elements).
        out.append((name, list(field.types), b"".join(p.tobytes() for p in field.parts[2:])))
    return out


def check_layout(reader, problems):
    for t in reader.tensors:
        rel = t.data_offset - reader.data_offset
        if rel % reader.alignment:
            problems.append(f"{t.name}: offset {rel} is not a multiple of the alignment {reader.alignment}")
    if reader.data_offset % reader.alignment:
        problems.append(f"data section at {reader.data_offset} is not aligned to {reader.alignment}")


def compare_gguf(exported, source, problems):
    a, b = pairs(exported), pairs(source)
    if [k for k, _, _ in a] != [k for k, _, _ in b]:
        problems.append(f"keys differ: {[k for k, _, _ in a]} != {[k for k, _, _ in b]}")
    for (k, ta, va), (_, tb, vb) in zip(a, b):
        if ta != tb:
            problems.append(f"{k}: types {ta} != {tb}")
        elif va != vb:
            problems.append(f"{k}: values differ")
    if [t.name for t in exported.tensors] != [t.name for t in source.tensors]:
        problems.append("tensor names or order differ")
    for x, y in zip(exported.tensors, source.tensors):
        if list(x.shape) != list(y.shape):
            problems.append(f"{x.name}: dims {list(x.shape)} != {list(y.shape)}")
            continue
        if y.tensor_type in DEQUANTIZED:
            if x.tensor_type != Q.F32:
                problems.append(f"{x.name}: {y.tensor_type.name} should come back as F32, got {x.tensor_type.name}")
                continue
            with np.errstate(invalid="ignore", over="ignore"):
                want = np.ascontiguousarray(gguf.quants.dequantize(y.data, y.tensor_type), dtype=np.float32)
            if x.data.tobytes() != want.tobytes():
                problems.append(f"{x.name}: F32 values differ from gguf-py's dequantization of {y.tensor_type.name}")
        elif x.tensor_type != y.tensor_type:
            problems.append(f"{x.name}: type {x.tensor_type.name} != {y.tensor_type.name}")
        elif x.data.tobytes() != y.data.tobytes():
            problems.append(f"{x.name}: bytes differ")
    return len(a), len(exported.tensors)


def compare_safetensors(exported, path, problems):
    from safetensors import safe_open
    from safetensors.numpy import load_file

    tensors = load_file(path)
    with safe_open(path, framework="numpy") as f:
        meta = f.metadata() or {}
    got = {t.name: t for t in exported.tensors}
    if set(got) != set(tensors):
        problems.append(f"tensor names differ: {sorted(set(got) ^ set(tensors))}")
    for name in sorted(set(got) & set(tensors)):
        t, arr = got[name], np.ascontiguousarray(tensors[name])
        if NP_TO_GGML.get(str(arr.dtype)) != t.tensor_type:
            problems.append(f"{name}: type {t.tensor_type.name} for numpy {arr.dtype}")
        elif tuple(reversed([int(d) for d in t.shape])) != arr.shape:
            problems.append(f"{name}: shape {tuple(reversed(t.shape.tolist()))} != {arr.shape}")
        elif t.data.tobytes() != arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes():
            problems.append(f"{name}: bytes differ")
    for k, v in meta.items():
        field = exported.fields.get(k)
        if field is None or field.types != [gguf.GGUFValueType.STRING] or field.contents() != v:
            problems.append(f"metadata {k!r} is not the string {v!r}")
    return len(meta), len(tensors)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    exported_path, source_path = sys.argv[1], sys.argv[2]
    problems = []
    exported = gguf.GGUFReader(exported_path)  # validates magic, version, alignment, duplicate keys and names
    check_layout(exported, problems)
    version = int(exported.fields["GGUF.version"].contents())
    if version != 3:
        problems.append(f"version {version}, expected 3")
    if source_path.endswith(".safetensors"):
        nkv, nt = compare_safetensors(exported, source_path, problems)
    else:
        nkv, nt = compare_gguf(exported, gguf.GGUFReader(source_path), problems)
    if problems:
        print(f"FAIL {exported_path} vs {source_path}:")
        for p in problems:
            print("  " + p)
        return 1
    print(f"OK {exported_path}: GGUF v{version}, {nkv} key-value pairs and {nt} tensors read by gguf-py "
          f"{importlib.metadata.version('gguf')} equal {source_path} (alignment {exported.alignment})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
