"""safe_open: the safetensors-style reader."""

from __future__ import annotations

import numpy as np

from ._arrays import row_bytes, to_array
from ._errors import MemoryBudgetError, UnsupportedError, quoted
from ._shards import open_model_file

FRAMEWORKS = ("numpy", "np", "pt", "torch")


def _to_framework(arr: np.ndarray, framework: str, device="cpu"):
    if framework in ("numpy", "np"):
        return arr
    from ._torch_conv import numpy_to_torch

    return numpy_to_torch(arr, device)


class TensorSlice:
    """A lazily read tensor: `get_shape()`, `get_dtype()`, and indexing whose first axis picks the rows to decode
    (only the chunks covering them are decoded; a part of a tensor is not checksummed)."""

    def __init__(self, owner: "safe_open", name: str):
        self._owner = owner
        self._file = owner._file
        self._e = self._file.entry(name)

    def get_shape(self):
        return list(self._e.shape)

    def get_dtype(self) -> str:
        return self._e.dtype

    @property
    def shape(self):
        return tuple(self._e.shape)

    def __len__(self):
        if not self._e.shape:
            raise TypeError("len() of a scalar tensor")
        return self._e.shape[0]

    def _rows(self, lo: int, hi: int, dequantize: bool) -> np.ndarray:
        e = self._e
        rb = row_bytes(e)
        raw = self._file.decode(e, lo * rb, hi * rb)
        return _shaped(self._file, e, raw, (hi - lo,) + tuple(e.shape[1:]), dequantize)

    def __getitem__(self, index, dequantize: bool = True):
        e = self._e
        if not isinstance(index, tuple):
            index = (index,)
        if not e.shape or not index or index[0] is Ellipsis:
            arr = self._owner._array(e, dequantize)
            return _to_framework(arr[index] if index else arr, self._owner._framework, self._owner._device)
        first, rest = index[0], index[1:]
        n0 = e.shape[0]
        if isinstance(first, slice):
            start, stop, step = first.indices(n0)
            rows = range(start, stop, step)
            if len(rows) == 0:
                arr = self._rows(0, 0, dequantize)
                local = slice(0, 0)
            else:
                lo, hi = min(rows[0], rows[-1]), max(rows[0], rows[-1]) + 1
                arr = self._rows(lo, hi, dequantize)
                if step == 1:
                    local = slice(None)
                else:
                    local = np.asarray(rows) - lo
        elif isinstance(first, (int, np.integer)) and not isinstance(first, bool):
            i = int(first)
            if i < 0:
                i += n0
            if not 0 <= i < n0:
                raise IndexError(f"index {int(first)} is out of bounds for axis 0 with size {n0}")
            arr = self._rows(i, i + 1, dequantize)
            local = 0
        else:
            raise UnsupportedError(self._file.path, f"tensor {quoted(e.name)}: get_slice takes ints and slices on its first axis", "unsupported")
        out = arr[(local,) + rest]
        return _to_framework(np.ascontiguousarray(out) if not isinstance(local, slice) else out,
                             self._owner._framework, self._owner._device)


class safe_open:
    """Opens an Ingot file for reading, as `safetensors.safe_open` does:

        with ingot.safe_open("model.ingot", framework="pt") as f:
            for name in f.keys():
                t = f.get_tensor(name)

    Opening validates the whole layout from the header (no tensor data is read); raw tensors are views of a
    private mapping of the file (zero copy), compressed ones are decoded by the C kernels (in parallel). A tensor
    read whole is checked against its XXH3-64 on its first read; a mismatch raises ChecksumMismatchError.
    """

    def __init__(self, filename, framework: str = "numpy", device="cpu", threads: int | None = None):
        if framework not in FRAMEWORKS:
            raise UnsupportedError(None, f"unknown framework {framework!r} (expected numpy or pt)", "unsupported")
        if framework in ("pt", "torch"):
            import torch  # noqa: F401  (fail early when torch is missing)
        self._framework = framework
        self._device = device
        self._file = open_model_file(filename, threads)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        self._file.close()

    # safetensors API ----------------------------------------------------------------------------------------------
    def keys(self):
        """Tensor names in file order."""
        return [e.name for e in self._file.entries]

    def offset_keys(self):
        return self.keys()

    def metadata(self) -> dict:
        """The typed metadata (ints, floats, bools, strings, lists, objects), `ingot.*` keys included."""
        import copy

        return copy.deepcopy(self._file.metadata)

    def get_tensor(self, name: str, dequantize: bool = True):
        """The whole tensor (checked against its XXH3 on the first read). Block-quantized tensors are dequantized to
        float32 unless `dequantize=False`, which gives their raw blocks as a numpy structured array (numpy only)."""
        e = self._file.entry(name)
        arr = self._array(e, dequantize)
        if not dequantize and e.dtype not in _SCALAR and self._framework not in ("numpy", "np"):
            return arr  # blocks have no torch dtype: the structured numpy array
        return _to_framework(arr, self._framework, self._device)

    def get_slice(self, name: str) -> TensorSlice:
        return TensorSlice(self, name)

    # extras --------------------------------------------------------------------------------------------------------
    def tensor_info(self, name: str) -> dict:
        """dtype, shape, group_size, encoding, stored length and checksum of a tensor (no data read)."""
        e = self._file.entry(name)
        return {"dtype": e.dtype, "shape": list(e.shape), "group_size": e.group_size, "encoding": e.encoding,
                "chunk_size": e.chunk_size, "filter": e.filter, "length": e.length, "byte_size": e.byte_size,
                "xxh3": f"{e.checksum:016x}"}

    def get_bytes(self, name: str) -> np.ndarray:
        """The decoded bytes of a tensor (uint8, checksummed on the first read)."""
        return self._file.decode(self._file.entry(name))

    def _array(self, e, dequantize: bool) -> np.ndarray:
        raw = self._file.decode(e)
        return _shaped(self._file, e, raw, e.shape, dequantize)


def _shaped(file, e, raw, shape, dequantize):
    """to_array, with numpy's refusals (an empty tensor whose other dimensions multiply past its index range, a
    dequantized size beyond memory) reported as errors naming the file and tensor."""
    try:
        return to_array(e, raw, shape, dequantize)
    except ValueError as ex:
        raise UnsupportedError(file.path, f"tensor {quoted(e.name)}: numpy cannot hold shape {list(shape)}: {ex}", "unsupported") from None
    except MemoryError:
        raise MemoryBudgetError(file.path, f"tensor {quoted(e.name)}: not enough memory for {e.count} float32 values", "memory") from None


from ._format import SCALAR_SIZE as _SCALAR  # noqa: E402
