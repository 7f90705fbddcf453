"""From decoded bytes to numpy arrays: scalar dtypes, block dtypes (dequantized, or raw blocks as structured arrays)."""

from __future__ import annotations

import numpy as np

from . import _ingot
from ._format import BLOCK_DTYPES, FIXED_GROUP, Entry, unit_bytes

try:
    import ml_dtypes as _ml

    BFLOAT16 = np.dtype(_ml.bfloat16)
except ImportError:  # pragma: no cover - ml_dtypes is a dependency
    BFLOAT16 = None

NUMPY_DTYPES = {
    "f32": np.dtype("<f4"), "f16": np.dtype("<f2"), "f64": np.dtype("<f8"),
    "i8": np.dtype("i1"), "i16": np.dtype("<i2"), "i32": np.dtype("<i4"), "i64": np.dtype("<i8"),
    "u8": np.dtype("u1"), "bool": np.dtype("?"),
}
if BFLOAT16 is not None:
    NUMPY_DTYPES["bf16"] = BFLOAT16


def block_dtype(dtype: str, group: int) -> np.dtype:
    """The numpy structured dtype of one block (ggml's field names and order; packed, little-endian). The dtype's
    metadata records the Ingot dtype and group size, so `save_file` can write such an array back as blocks."""
    g = group
    f2, u1, i1 = "<f2", "u1", "i1"
    fields = {
        "q8_0": [("d", f2), ("qs", i1, (g,))],
        "q4_0": [("d", f2), ("qs", u1, (g // 2,))],
        "q4_1": [("d", f2), ("m", f2), ("qs", u1, (g // 2,))],
        "q5_0": [("d", f2), ("qh", u1, (4,)), ("qs", u1, (16,))],
        "q5_1": [("d", f2), ("m", f2), ("qh", u1, (4,)), ("qs", u1, (16,))],
        "iq4_nl": [("d", f2), ("qs", u1, (16,))],
        "q2_k": [("scales", u1, (16,)), ("qs", u1, (64,)), ("d", f2), ("dmin", f2)],
        "q3_k": [("hmask", u1, (32,)), ("qs", u1, (64,)), ("scales", u1, (12,)), ("d", f2)],
        "q4_k": [("d", f2), ("dmin", f2), ("scales", u1, (12,)), ("qs", u1, (128,))],
        "q5_k": [("d", f2), ("dmin", f2), ("scales", u1, (12,)), ("qh", u1, (32,)), ("qs", u1, (128,))],
        "q6_k": [("ql", u1, (128,)), ("qh", u1, (64,)), ("scales", i1, (16,)), ("d", f2)],
    }[dtype]
    dt = np.dtype(fields, metadata={"ingot_dtype": dtype, "group_size": g})
    assert dt.itemsize == unit_bytes(dtype, g)
    return dt


def block_info(dt: np.dtype):
    """(ingot dtype, group size) of a structured dtype made by block_dtype, else None."""
    md = dt.metadata
    if md and md.get("ingot_dtype") in BLOCK_DTYPES:
        d, g = md["ingot_dtype"], int(md["group_size"])
        if block_dtype(d, g) == dt:
            return d, g
    return None


def dequantize(dtype: str, group: int, raw: np.ndarray, shape) -> np.ndarray:
    out = np.empty(tuple(shape), dtype=np.float32)
    _ingot.dequantize(dtype, raw, out.reshape(-1).view(np.uint8), group)
    return out


def to_array(e: Entry, raw: np.ndarray, shape, dequantize_blocks: bool = True) -> np.ndarray:
    """Decoded bytes `raw` (uint8) of a tensor (or of whole rows of it, `shape`) as an array."""
    if e.dtype in BLOCK_DTYPES:
        if dequantize_blocks:
            return dequantize(e.dtype, e.group_size, raw, shape)
        bshape = tuple(shape[:-1]) + (shape[-1] // e.group_size,)
        return raw.view(block_dtype(e.dtype, e.group_size)).reshape(bshape)
    return raw.view(NUMPY_DTYPES[e.dtype]).reshape(tuple(shape))


def row_bytes(e: Entry) -> int:
    """Decoded bytes of one index of the first axis."""
    if not e.shape or e.shape[0] == 0:
        return 0
    return e.byte_size // e.shape[0]


def fixed_group(dtype: str):
    return FIXED_GROUP.get(dtype)
