"""numpy API, as `safetensors.numpy`: load_file / save_file / load / save."""

from __future__ import annotations

import os
import tempfile
from typing import Dict, Optional

import numpy as np

from ._format import DEFAULT_ALIGN, DEFAULT_CHUNK
from ._open import safe_open
from ._writer import numpy_item, write

__all__ = ["load_file", "save_file", "load", "save"]


def load_file(filename, dequantize: bool = True) -> Dict[str, np.ndarray]:
    """Every tensor of the file (checksummed). Raw tensors are views of a private mapping of the file (no copy);
    compressed ones are decoded once; block-quantized ones are dequantized to float32 unless `dequantize=False`."""
    with safe_open(filename, framework="numpy") as f:
        return {k: f.get_tensor(k, dequantize=dequantize) for k in f.keys()}


def save_file(tensors: Dict[str, np.ndarray], filename, metadata: Optional[dict] = None, *, compress=None,
              chunk_size: int = DEFAULT_CHUNK, alignment: int = DEFAULT_ALIGN, threads: Optional[int] = None) -> None:
    """Writes `tensors` (numpy arrays; ml_dtypes.bfloat16 arrays as bf16; structured block arrays from
    `get_tensor(..., dequantize=False)` as their block dtype) with typed `metadata` (any JSON values).
    `compress=LEVEL` (or True for level 3) stores each tensor in the chunked byte-grouped encoding, as
    `ingot convert --compress zstd:LEVEL` does; tensors that do not shrink by 1% stay raw."""
    items = [numpy_item(k, v) for k, v in tensors.items()]
    write(filename, items, metadata, compress=compress, chunk_size=chunk_size, alignment=alignment, threads=threads)


def save(tensors: Dict[str, np.ndarray], metadata: Optional[dict] = None, **kw) -> bytes:
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "t.ingot")
        save_file(tensors, p, metadata, **kw)
        with open(p, "rb") as f:
            return f.read()


def load(data: bytes, dequantize: bool = True) -> Dict[str, np.ndarray]:
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "t.ingot")
        with open(p, "wb") as f:
            f.write(data)
        return {k: np.array(v) for k, v in load_file(p, dequantize).items()}
