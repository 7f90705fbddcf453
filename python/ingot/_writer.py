"""Writing Ingot files: the Swift writer's layout (header, per-tensor XXH3 of the decoded bytes, alignment,
page-aligned data section) and its chunked byte-grouped compression (the same C encoder policy)."""

from __future__ import annotations

import json
import math
import os
import struct
import tempfile

import numpy as np

from . import _ingot
from ._arrays import BFLOAT16, NUMPY_DTYPES, block_info
from ._errors import IngotIOError, UnsupportedError, quoted
from ._format import (DEFAULT_ALIGN, DEFAULT_CHUNK, FLOAT_DTYPES, INT_MAX, MAGIC, MAX_ALIGN, MAX_CHUNK, MAX_HEADER,
                      MIN_ALIGN, PAGE, PREAMBLE, SCALAR_SIZE, default_threads, unit_bytes, valid_name)

_NP_TO_INGOT = {v: k for k, v in NUMPY_DTYPES.items()}


def numpy_item(name: str, arr: np.ndarray, dtype: str | None = None):
    """(name, ingot dtype, shape, group size, uint8 bytes) of a numpy array (little-endian, C order)."""
    if not isinstance(arr, np.ndarray):
        arr = np.asarray(arr)
    info = block_info(arr.dtype) if arr.dtype.names is not None else None
    if info is not None:
        d, g = info
        if arr.ndim == 0:
            raise UnsupportedError(None, f"tensor {quoted(name)}: a block array needs at least one axis", "unsupported")
        shape = tuple(arr.shape[:-1]) + (arr.shape[-1] * g,)
        data = np.ascontiguousarray(arr)
        return name, d, shape, g, data.reshape(-1).view(np.uint8)
    if dtype is None:
        dt = arr.dtype
        if dt.byteorder == ">":
            dt = dt.newbyteorder("<")
            arr = arr.astype(dt)
        dtype = _NP_TO_INGOT.get(dt)
        if dtype is None and dt.kind == "u" and dt.itemsize == 1:
            dtype = "u8"
        if dtype is None:
            raise UnsupportedError(None, f"tensor {quoted(name)}: numpy dtype {arr.dtype} has no Ingot dtype", "unsupported")
    data = np.ascontiguousarray(arr)
    return name, dtype, tuple(int(d) for d in arr.shape), None, data.reshape(-1).view(np.uint8)


def _check_json(v, depth=1):
    if depth > 63:
        raise ValueError("metadata nests deeper than 64")
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return
    if isinstance(v, int):
        if not -(1 << 63) <= v <= INT_MAX:
            raise ValueError(f"integer {v} does not fit in 64 bits")
        return
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError("NaN and infinities cannot be stored in JSON")
        return
    if isinstance(v, (list, tuple)):
        for x in v:
            _check_json(x, depth + 1)
        return
    if isinstance(v, dict):
        for k, x in v.items():
            if not isinstance(k, str):
                raise ValueError(f"metadata key {k!r} is not a string")
            _check_json(x, depth + 1)
        return
    if isinstance(v, (np.integer, np.floating, np.bool_)):
        raise ValueError(f"numpy scalar {v!r}: convert it to a Python number")
    raise ValueError(f"{type(v).__name__} is not a JSON value")


def write(path, items, metadata=None, *, compress=None, chunk_size: int = DEFAULT_CHUNK, alignment: int = DEFAULT_ALIGN,
          threads: int | None = None, min_saving: float = 0.01):
    """Writes `items` (name, dtype, shape, group, uint8 bytes) to `path` atomically (temp file + rename)."""
    path = os.fspath(path)
    if not (MIN_ALIGN <= alignment <= MAX_ALIGN and alignment & (alignment - 1) == 0):
        raise UnsupportedError(path, f"alignment {alignment} is not a power of two in [{MIN_ALIGN}, {MAX_ALIGN}]", "badAlignment")
    level = None
    if compress is not None and compress is not False:
        level = 3 if compress is True else int(compress)
        lo, hi = _ingot.zstd_levels()
        if not lo <= level <= hi:
            raise UnsupportedError(path, f"zstd level must be an integer in {lo}...{hi}", "unsupported")
        if not 1 <= chunk_size <= MAX_CHUNK:
            raise UnsupportedError(path, f"chunk size {chunk_size} is outside 1…{MAX_CHUNK}", "unsupported")
    meta = {} if metadata is None else dict(metadata)
    try:
        _check_json(meta)
    except ValueError as ex:
        raise UnsupportedError(path, f"metadata: {ex}", "unsupported") from None
    threads = threads or default_threads()
    entries, blobs, seen, end = [], [], set(), 0
    for name, dtype, shape, group, data in items:
        if not isinstance(name, str) or not valid_name(name):
            raise UnsupportedError(path, f"bad tensor name {quoted(str(name))}", "badName")
        if name in seen:
            raise UnsupportedError(path, f"duplicate tensor name {quoted(name)}", "duplicateName")
        seen.add(name)
        checksum = _ingot.xxh3(data)
        encoding, stored = "raw", data
        if level is not None and data.nbytes > 0:
            unit = unit_bytes(dtype, group)
            cs = max(unit, chunk_size // unit * unit)
            planes = SCALAR_SIZE[dtype] if dtype in FLOAT_DTYPES else 1
            packed = _ingot.encode_chunks(data, cs, planes, level, threads)
            if len(packed) <= data.nbytes * (1 - min_saving):
                encoding = {"type": "chunked", "chunk_size": cs, "filter": "bytegroup" if planes > 1 else "none"}
                stored = packed
        offset = (end + alignment - 1) & ~(alignment - 1)
        e = {"name": name, "dtype": dtype}
        if group is not None:
            e["group_size"] = group
        e.update(shape=list(shape), offset=offset, length=len(stored) if isinstance(stored, bytes) else stored.nbytes,
                 encoding=encoding, xxh3=f"{checksum:016x}")
        entries.append(e)
        blobs.append((offset - end, stored))
        end = offset + e["length"]
    header = json.dumps({"alignment": alignment, "metadata": meta, "tensors": entries}, ensure_ascii=False,
                        separators=(",", ":"), allow_nan=False).encode("utf-8")
    if len(header) > MAX_HEADER:
        raise UnsupportedError(path, f"header length {len(header)} exceeds the cap of {MAX_HEADER} bytes", "headerTooLarge")
    data_offset = (PREAMBLE + len(header) + PAGE - 1) // PAGE * PAGE
    pre = MAGIC + struct.pack("<HHIQQQ", 1, 0, 0, len(header), _ingot.xxh3(header), data_offset)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(pre)
            f.write(header)
            f.write(bytes(data_offset - PREAMBLE - len(header)))
            for pad, stored in blobs:
                if pad:
                    f.write(bytes(pad))
                f.write(stored)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except OSError as ex:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise IngotIOError(path, f"cannot write: {ex.strerror or ex}", "io") from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m
