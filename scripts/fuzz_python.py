#!/usr/bin/env python3
"""Fuzzes the Python package's C decoders (ingot._ingot) and its file reader with atheris (not run in CI).

    /work/venv/bin/pip install atheris ./python
    /work/venv/bin/python scripts/fuzz_python.py -atheris_runs=1000000 [corpus_dir]

Each input picks one target from its first byte:
  0  decode_chunks: a chunked tensor's stored bytes (chunk table, plane directories, stored/zstd/rANS payloads) with a
     geometry taken from the input (1/2/4/8 planes, chunk size, decoded size up to 64 KiB), all chunks or a range;
  1  dequantize: any bytes as blocks of every block dtype;
  2  json_depth: the header nesting pre-check;
  3  the whole reader: the input as a file (preamble + header + data) opened with safe_open, every tensor read
     (whole, raw blocks, a row slice).
Anything but the package's documented exceptions (ingot.IngotError, ChunkError/ValueError from the raw C calls) is a
failure; a crash of the interpreter is one too. Python code is instrumented by atheris; the C code is not built
with sanitizer coverage, so the fuzzer's guidance there is by Python-level coverage only.
"""
import os
import sys
import tempfile

import atheris
import numpy as np

with atheris.instrument_imports():
    import ingot
    from ingot import _ingot

BLOCKS = [("q8_0", 32), ("q4_0", 32), ("q4_1", 64), ("q5_0", 32), ("q5_1", 32), ("iq4_nl", 32), ("q2_k", 256),
          ("q3_k", 256), ("q4_k", 256), ("q5_k", 256), ("q6_k", 256), ("q8_0", 2)]
UNIT = {"q8_0": lambda g: 2 + g, "q4_0": lambda g: 2 + g // 2, "q4_1": lambda g: 4 + g // 2, "q5_0": lambda g: 22,
        "q5_1": lambda g: 24, "iq4_nl": lambda g: 18, "q2_k": lambda g: 84, "q3_k": lambda g: 110,
        "q4_k": lambda g: 144, "q5_k": lambda g: 176, "q6_k": lambda g: 210}
TMP = tempfile.mkdtemp(prefix="ingot-fuzz-")
PATH = os.path.join(TMP, "x.ingot")


def decode(fdp):
    planes = (1, 2, 4, 8)[fdp.ConsumeIntInRange(0, 3)]
    chunk = planes * fdp.ConsumeIntInRange(1, 4096)
    decoded = planes * fdp.ConsumeIntInRange(0, 16384)
    n = 0 if decoded == 0 else (decoded - 1) // chunk + 1
    first = fdp.ConsumeIntInRange(0, n)
    last = fdp.ConsumeIntInRange(first, n)
    threads = fdp.ConsumeIntInRange(1, 3)
    stored = fdp.ConsumeBytes(fdp.remaining_bytes())
    lo = first * chunk
    hi = min(decoded, last * chunk) if last > first else lo
    out = np.empty(max(0, hi - lo), np.uint8)
    try:
        _ingot.decode_chunks(stored, out, decoded, chunk, planes, first, last, threads, bool(threads & 1))
    except _ingot.ChunkError:
        pass


def dequantize(fdp):
    name, g = BLOCKS[fdp.ConsumeIntInRange(0, len(BLOCKS) - 1)]
    data = fdp.ConsumeBytes(fdp.remaining_bytes())
    unit = UNIT[name](g)
    data = data[: len(data) // unit * unit]
    out = np.empty(len(data) // unit * g, np.float32)
    _ingot.dequantize(name, data, out, g)


def whole_file(data):
    with open(PATH, "wb") as f:
        f.write(data)
    try:
        with ingot.safe_open(PATH) as f:
            for k in f.keys():
                f.get_tensor(k)
                f.get_tensor(k, dequantize=False)
                s = f.get_slice(k)
                if s.get_shape():
                    s[: 1]
    except ingot.IngotError:
        pass


def one_input(data: bytes):
    if not data:
        return
    which = data[0] % 4
    if which == 3:
        whole_file(data[1:])
        return
    fdp = atheris.FuzzedDataProvider(data[1:])
    if which == 0:
        decode(fdp)
    elif which == 1:
        dequantize(fdp)
    else:
        _ingot.json_depth(data[1:], 64)


def seeds(directory):
    """Seed inputs from the shared hostile suite and a small compressed file, when the corpus directory is empty."""
    os.makedirs(directory, exist_ok=True)
    if os.listdir(directory):
        return
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    hostile = os.path.join(root, "fixtures", "hostile")
    for name in sorted(os.listdir(hostile)):
        if name.endswith(".ingot"):
            with open(os.path.join(hostile, name), "rb") as f:
                b = f.read()
            with open(os.path.join(directory, name), "wb") as f:
                f.write(b"\x03" + b)
    import ingot.numpy
    rng = np.random.default_rng(1)
    p = os.path.join(TMP, "seed.ingot")
    ingot.numpy.save_file({"w": (rng.standard_normal((16, 64)) * 0.02).astype(np.float32),
                           "i": rng.integers(0, 3, 500, dtype=np.int8)}, p, compress=12, chunk_size=512)
    with open(p, "rb") as f:
        b = f.read()
    with open(os.path.join(directory, "compressed.ingot"), "wb") as f:
        f.write(b"\x03" + b)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    if args:
        seeds(args[0])
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
