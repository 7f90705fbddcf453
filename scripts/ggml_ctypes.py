"""ggml's own quantizers and dequantizers, called through ctypes from the libraries llama-cpp-python ships.

Used by fixtures/generate_kquants.py (test vectors) and scripts/kquant_exact.py (whole-model comparison). Only
ggml's exported C functions are called: `ggml_quantize_chunk` (the same entry point llama-quantize uses; with
imatrix=NULL it runs quantize_row_<type>_ref for Q5_0/Q5_1/K-quants and the no-imatrix search for IQ4_NL) and
`dequantize_row_<type>`.
"""
from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

# ggml type id → (name, block elements, block bytes)
TYPES = {
    6: ("q5_0", 32, 22),
    7: ("q5_1", 32, 24),
    10: ("q2_K", 256, 84),
    11: ("q3_K", 256, 110),
    12: ("q4_K", 256, 144),
    13: ("q5_K", 256, 176),
    14: ("q6_K", 256, 210),
    20: ("iq4_nl", 32, 18),
}


def library_path() -> str:
    import llama_cpp  # noqa: F401  (only to find its directory)
    libdir = os.path.join(os.path.dirname(llama_cpp.__file__), "lib")
    found = sorted(glob.glob(os.path.join(libdir, "libggml-base.so*")))
    if not found:
        raise SystemExit(f"libggml-base.so not found in {libdir}")
    return found[0]


class GGML:
    def __init__(self, path: str | None = None):
        self.path = path or library_path()
        self.lib = ctypes.CDLL(self.path)
        q = self.lib.ggml_quantize_chunk
        q.restype = ctypes.c_size_t
        q.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64,
                      ctypes.c_int64, ctypes.c_void_p]
        self.lib.ggml_quantize_init.argtypes = [ctypes.c_int]
        self._deq = {}
        for t, (name, _, _) in TYPES.items():
            f = getattr(self.lib, f"dequantize_row_{name}")
            f.restype = None
            f.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
            self._deq[t] = f

    def quantize(self, t: int, x: np.ndarray, imatrix: np.ndarray | None = None) -> bytes:
        """x: 2-D f32 [rows, n_per_row]; imatrix: None or n_per_row f32 weights."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        rows, n = x.shape
        _, be, bb = TYPES[t]
        assert n % be == 0
        self.lib.ggml_quantize_init(t)
        out = np.zeros(rows * (n // be) * bb, dtype=np.uint8)
        im = None
        if imatrix is not None:
            imatrix = np.ascontiguousarray(imatrix, dtype=np.float32)
            assert imatrix.shape == (n,)
            im = imatrix.ctypes.data
        written = self.lib.ggml_quantize_chunk(t, x.ctypes.data, out.ctypes.data, 0, rows, n, im)
        assert written == out.size, (written, out.size)
        return out.tobytes()

    def dequantize(self, t: int, blocks: bytes) -> np.ndarray:
        _, be, bb = TYPES[t]
        nb = len(blocks) // bb
        src = np.frombuffer(blocks, dtype=np.uint8).copy()
        out = np.zeros(nb * be, dtype=np.float32)
        self._deq[t](src.ctypes.data, out.ctypes.data, nb * be)
        return out


class Ingot:
    """Ingot's kernels compiled into a throwaway shared library (scripts only; the package builds them with SwiftPM)."""

    SOURCES = ["kquants.c", "kquants_ref.c", "kquants_search.c", "quant.c"]

    def __init__(self, repo: str, out: str = "/tmp/ingot-kquants.so"):
        import shutil
        import subprocess
        src = os.path.join(repo, "Sources", "CIngotKernels")
        cc = shutil.which("clang") or shutil.which("cc")
        # quant.c (f16 conversion) uses clang vector extensions. INGOT_KQ_CFLAGS adds flags, e.g. -march=native to
        # check that the pragmas keep FMA contraction out where ggml's arithmetic needs separate roundings.
        extra = os.environ.get("INGOT_KQ_CFLAGS", "").split()
        cmd = [cc, "-O3", "-shared", "-fPIC", "-I", os.path.join(src, "include"), "-o", out] + extra + \
            [os.path.join(src, f) for f in self.SOURCES]
        subprocess.run(cmd, check=True)
        self.lib = ctypes.CDLL(out)
        L = self.lib
        L.ingot_kq_quantize_ref.restype = ctypes.c_int64
        L.ingot_kq_quantize_ref.argtypes = [ctypes.c_uint32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
        L.ingot_kq_quantize_search.restype = ctypes.c_int64
        L.ingot_kq_quantize_search.argtypes = [ctypes.c_uint32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                               ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_void_p]
        L.ingot_kq_search_scratch_floats.restype = ctypes.c_size_t
        L.ingot_kq_search_scratch_floats.argtypes = [ctypes.c_uint32]
        L.ingot_kq_dequantize.restype = ctypes.c_int
        L.ingot_kq_dequantize.argtypes = [ctypes.c_uint32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]

    def quantize_ref(self, t: int, x: np.ndarray) -> tuple[bytes, int]:
        x = np.ascontiguousarray(x, dtype=np.float32).reshape(-1)
        _, be, bb = TYPES[t]
        nb = x.size // be
        out = np.zeros(nb * bb, dtype=np.uint8)
        r = self.lib.ingot_kq_quantize_ref(t, x.ctypes.data, out.ctypes.data, nb)
        return out.tobytes(), r

    def quantize_search(self, t: int, x: np.ndarray, importance: np.ndarray | None = None,
                        first_block: int = 0) -> tuple[bytes, int]:
        """x: 2-D [rows, n_per_row] (or flat with importance=None)."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        _, be, bb = TYPES[t]
        n_per_row = x.shape[-1] if x.ndim == 2 else x.size
        flat = x.reshape(-1)
        nb = flat.size // be
        out = np.zeros(nb * bb, dtype=np.uint8)
        scratch = np.zeros(max(1, self.lib.ingot_kq_search_scratch_floats(t)), dtype=np.float32)
        im = None
        if importance is not None:
            importance = np.ascontiguousarray(importance, dtype=np.float32)
            im = importance.ctypes.data
        r = self.lib.ingot_kq_quantize_search(t, flat.ctypes.data, out.ctypes.data, nb, im, n_per_row // be,
                                              first_block, scratch.ctypes.data)
        return out.tobytes(), r

    def dequantize(self, t: int, blocks: bytes) -> np.ndarray:
        _, be, bb = TYPES[t]
        nb = len(blocks) // bb
        src = np.frombuffer(blocks, dtype=np.uint8).copy()
        out = np.zeros(nb * be, dtype=np.float32)
        assert self.lib.ingot_kq_dequantize(t, src.ctypes.data, out.ctypes.data, nb) == 0
        return out
