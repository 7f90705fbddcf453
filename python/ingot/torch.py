"""PyTorch API, as `safetensors.torch`: load_file / save_file."""

from __future__ import annotations

from typing import Dict, Optional

from ._format import DEFAULT_ALIGN, DEFAULT_CHUNK
from ._open import safe_open
from ._torch_conv import torch_to_numpy
from ._writer import numpy_item, write

__all__ = ["load_file", "save_file"]


def load_file(filename, device="cpu", dequantize: bool = True):
    """Every tensor as a torch.Tensor (bf16 as torch.bfloat16). Raw tensors share memory with a private mapping of
    the file (zero copy: writing to one changes only this process's copy); compressed tensors are decoded once;
    block-quantized tensors are dequantized to float32. Each tensor is checked against its XXH3 as it is read."""
    with safe_open(filename, framework="pt", device=device) as f:
        return {k: f.get_tensor(k) for k in f.keys()}


def save_file(tensors, filename, metadata: Optional[dict] = None, *, compress=None, chunk_size: int = DEFAULT_CHUNK,
              alignment: int = DEFAULT_ALIGN, threads: Optional[int] = None) -> None:
    """Writes torch tensors (any device; copied to CPU) with typed metadata; `compress=LEVEL` as in ingot.numpy."""
    items = []
    for k, t in tensors.items():
        arr, dtype = torch_to_numpy(t)
        items.append(numpy_item(k, arr, dtype))
    write(filename, items, metadata, compress=compress, chunk_size=chunk_size, alignment=alignment, threads=threads)
