"""Shared fixtures. Reference values come from the Swift CLI (`ingot convert X.ingot -o X.safetensors`, parsed here
by a few lines of json + numpy) and from numpy/torch/safetensors, never from the package under test.

The CLI is $INGOT, else .build/debug/ingot, else .build/release/ingot; tests that need it are skipped without it."""
import json
import os
import shutil
import struct
import subprocess

import numpy as np
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "fixtures")


def find_cli():
    for p in (os.environ.get("INGOT"), os.path.join(ROOT, ".build/debug/ingot"), os.path.join(ROOT, ".build/release/ingot")):
        if p and os.access(p, os.X_OK):
            return p
    return None


CLI = find_cli()
needs_cli = pytest.mark.skipif(CLI is None, reason="no ingot CLI (swift build --product ingot)")


def cli(*args, check=True):
    r = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"ingot {' '.join(map(str, args))} failed: {r.stderr}")
    return r


ST_DTYPES = {"F32": "<f4", "F16": "<f2", "BF16": "<u2", "F64": "<f8", "I8": "i1", "I16": "<i2", "I32": "<i4",
             "I64": "<i8", "U8": "u1", "BOOL": "u1"}


def read_safetensors(path):
    """{name: (safetensors dtype, shape, bytes)} — the safetensors layout parsed directly (bf16 kept as bits)."""
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    h = json.loads(b[8:8 + n])
    out = {}
    for k, v in h.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        out[k] = (v["dtype"], tuple(v["shape"]), b[8 + n + s:8 + n + e])
    return out


# (label, source path relative to fixtures, extra convert args)
SOURCES = [
    ("dtypes", "dtypes.safetensors", []),
    ("tensor_types_gguf", "gguf/tensor_types.gguf", []),
    ("bert", "models/bert/safetensors", []),
    ("gpt2", "models/gpt2/safetensors", []),
    ("qwen2", "models/qwen2/safetensors", []),
    ("llama_tied", "models/llama-tied/safetensors", []),
    ("llama_gqa", "models/llama-gqa/safetensors", []),
    ("llama_gqa_bf16_gguf", "models/llama-gqa/gguf/llama-gqa-BF16.gguf", []),
    ("llama_gqa_f16_gguf", "models/llama-gqa/gguf/llama-gqa-F16.gguf", []),
    ("llama_gqa_q8_0_gguf", "models/llama-gqa/gguf/llama-gqa-Q8_0.gguf", []),
    ("llama_gqa_q4_0_gguf", "models/llama-gqa/gguf/llama-gqa-Q4_0.gguf", []),
    ("llama_gqa_q4_1_gguf", "models/llama-gqa/gguf/llama-gqa-Q4_1.gguf", []),
    ("llama_k256_q4_k_m_gguf", "models/llama-k256/llama-k256-Q4_K_M.gguf", []),
]
VARIANTS = [
    ("raw", []),
    ("zstd3", ["--compress", "zstd"]),
    ("zstd12_small_chunks", ["--compress", "zstd:12", "--chunk-size", "1000"]),
]
QUANTIZED = [  # (label, source, args): every block dtype, raw and compressed
    (f"{src}_{q}{'_z' if z else ''}", path, ["--quantize", q, *(["--compress", "zstd", "--chunk-size", "4096"] if z else [])])
    for src, path, qs in [
        ("llama_gqa", "models/llama-gqa/safetensors", ["q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "iq4_nl"]),
        ("llama_k256", "models/llama-k256/llama-k256-Q4_K_M.gguf", ["q2_k", "q3_k_m", "q4_k_m", "q5_k_m", "q6_k"]),
    ]
    for q in qs
    for z in (False, True)
] + [("llama_gqa_q4_0_g128", "models/llama-gqa/safetensors", ["--quantize", "q4_0", "--group-size", "64"]),
     ("dtypes_bf16_z", "dtypes.safetensors", ["--dtype", "bf16", "--compress", "zstd", "--chunk-size", "64"])]


def all_cases():
    cases = []
    for label, src, extra in SOURCES:
        for v, args in VARIANTS:
            cases.append((f"{label}-{v}", src, extra + args))
    cases += QUANTIZED
    return cases


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """{case: (ingot path, reference safetensors path)} generated with the CLI (once per session)."""
    if CLI is None:
        pytest.skip("no ingot CLI")
    d = tmp_path_factory.mktemp("corpus")
    out = {}
    for label, src, args in all_cases():
        p = d / f"{label}.ingot"
        r = d / f"{label}.safetensors"
        cli("convert", os.path.join(FIXTURES, src), "-o", p, *args)
        cli("convert", p, "-o", r)
        out[label] = (str(p), str(r))
    return out
