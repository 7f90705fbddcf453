"""The Ingot container (specs/format.md): header validation in the Swift reader's order and with its messages,
the memory mapping, and tensor decoding through the C kernels."""

from __future__ import annotations

import json
import math
import mmap
import os
import struct
import threading

import numpy as np

from . import _ingot
from ._errors import (ChecksumMismatchError, InvalidFileError, IngotIOError, MemoryBudgetError, NoSuchTensorError,
                      UnsupportedError, error_for, quoted)

MAGIC = b"\x89INGOT\r\n"
PREAMBLE = 40
MAJOR, MINOR = 1, 0
MAX_HEADER = 100_000_000
MAX_TENSORS = 1_000_000
MAX_NAME = 4096
MAX_RANK = 8
MIN_ALIGN, MAX_ALIGN, DEFAULT_ALIGN = 8, 4096, 64
PAGE = 4096
MAX_DEPTH = 64
MAX_CHUNK = 64 << 20
DEFAULT_CHUNK = 1 << 20
MAX_CHUNKS = 1 << 24
MAX_GROUP = 1 << 20
INT_MAX = (1 << 63) - 1
_MADV_POPULATE_READ = getattr(mmap, "MADV_POPULATE_READ", 22)

SCALAR_SIZE = {"f32": 4, "f16": 2, "bf16": 2, "f64": 8, "i8": 1, "i16": 2, "i32": 4, "i64": 8, "u8": 1, "bool": 1}
FLOAT_DTYPES = {"f32", "f16", "bf16", "f64"}
FIXED_GROUP = {"q5_0": 32, "q5_1": 32, "iq4_nl": 32, "q2_k": 256, "q3_k": 256, "q4_k": 256, "q5_k": 256, "q6_k": 256}
FIXED_UNIT = {"q5_0": 22, "q5_1": 24, "iq4_nl": 18, "q2_k": 84, "q3_k": 110, "q4_k": 144, "q5_k": 176, "q6_k": 210}
BLOCK_DTYPES = ("q8_0", "q4_0", "q4_1") + tuple(FIXED_GROUP)
DTYPES = tuple(SCALAR_SIZE) + BLOCK_DTYPES
TENSOR_KEYS = ("name", "dtype", "group_size", "shape", "offset", "length", "encoding", "xxh3")


def unit_bytes(dtype: str, group: int | None) -> int:
    if dtype in SCALAR_SIZE:
        return SCALAR_SIZE[dtype]
    if dtype == "q8_0":
        return 2 + group
    if dtype == "q4_0":
        return 2 + group // 2
    if dtype == "q4_1":
        return 4 + group // 2
    return FIXED_UNIT[dtype]


class _Fail(Exception):
    def __init__(self, kind: str, problem: str):
        super().__init__(problem)
        self.kind, self.problem = kind, problem


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _json_desc(v) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def valid_name(name: str) -> bool:
    if not name:
        return False
    try:
        if len(name.encode("utf-8")) > MAX_NAME:
            return False
    except UnicodeEncodeError:
        return False
    return not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in name)


class Entry:
    """One row of the tensor table."""

    __slots__ = ("name", "dtype", "shape", "group_size", "offset", "length", "chunk_size", "filter", "checksum",
                 "count", "byte_size", "unit")

    @property
    def planes(self) -> int:
        return SCALAR_SIZE[self.dtype] if self.filter == "bytegroup" else 1

    @property
    def encoding(self) -> str:
        return "raw" if self.chunk_size is None else "chunked"


def _layout(e: Entry, name, dtype, shape, group):
    if len(shape) > MAX_RANK:
        raise _Fail("badShape", f"tensor {quoted(name)}: bad shape: rank {len(shape)} exceeds the maximum of {MAX_RANK}")
    count = 0 if 0 in shape else 1
    if count:
        for d in shape:
            count *= d
            if count > INT_MAX:
                raise _Fail("sizeOverflow", f"tensor {quoted(name)}: size overflows")
    if dtype in BLOCK_DTYPES:
        if group is None:
            raise _Fail("badGroupSize", f"tensor {quoted(name)}: bad group size: {dtype} needs group_size")
        fixed = FIXED_GROUP.get(dtype)
        if fixed is not None and group != fixed:
            raise _Fail("badGroupSize", f"tensor {quoted(name)}: bad group size: {dtype} blocks hold {fixed} elements, not {group}")
        if not (2 <= group <= MAX_GROUP and group % 2 == 0):
            raise _Fail("badGroupSize", f"tensor {quoted(name)}: bad group size: {group} is not an even number in [2, {MAX_GROUP}]")
        if not shape:
            raise _Fail("badGroupSize", f"tensor {quoted(name)}: bad group size: a scalar cannot be blocked")
        if shape[-1] % group:
            raise _Fail("badGroupSize", f"tensor {quoted(name)}: bad group size: {group} does not divide the last dimension {shape[-1]}")
        per_unit = group
    else:
        if group is not None:
            raise _Fail("badGroupSize", f"tensor {quoted(name)}: bad group size: {dtype} is not a block type")
        per_unit = 1
    unit = unit_bytes(dtype, group)
    size = count // per_unit * unit
    if size > INT_MAX // 2:
        raise _Fail("sizeOverflow", f"tensor {quoted(name)}: size overflows")
    e.count, e.byte_size, e.unit = count, size, unit


def _entry(o, index: int, strict: bool) -> Entry:
    if not isinstance(o, dict):
        raise _Fail("invalidHeader", f"invalid header: tensors[{index}] is not an object")
    label = f"tensors[{index}]"
    if strict:
        for k in o:
            if k not in TENSOR_KEYS:
                raise _Fail("invalidHeader", f"invalid header: {label}: unknown key {quoted(k)}")
    name = o.get("name")
    if not isinstance(name, str):
        raise _Fail("invalidHeader", f'invalid header: {label}: missing string "name"')
    if not valid_name(name):
        raise _Fail("badName", f"bad tensor name {quoted(name)}")
    q = quoted(name)

    def integer(key):
        v = o.get(key)
        if not _is_int(v):
            raise _Fail("invalidHeader", f'invalid header: tensor {q}: missing integer "{key}"')
        if v < 0:
            raise _Fail("invalidHeader", f'invalid header: tensor {q}: negative "{key}"')
        return v

    dtype = o.get("dtype")
    if not isinstance(dtype, str):
        raise _Fail("invalidHeader", f'invalid header: tensor {q}: missing string "dtype"')
    if dtype not in DTYPES:
        raise _Fail("unknownDType", f"tensor {q}: unknown dtype {quoted(dtype)}")
    dims = o.get("shape")
    if not isinstance(dims, list):
        raise _Fail("invalidHeader", f'invalid header: tensor {q}: missing array "shape"')
    if len(dims) > MAX_RANK:
        raise _Fail("badShape", f"tensor {q}: bad shape: rank {len(dims)} exceeds the maximum of {MAX_RANK}")
    for d in dims:
        if not _is_int(d):
            raise _Fail("badShape", f"tensor {q}: bad shape: dimension {_json_desc(d)} is not an integer")
        if d < 0:
            raise _Fail("badShape", f"tensor {q}: bad shape: negative dimension {d}")
    group = None
    if "group_size" in o:
        g = o["group_size"]
        if not (_is_int(g) and 0 < g <= MAX_GROUP):
            raise _Fail("badGroupSize", f"tensor {q}: bad group size: {_json_desc(g)} is not an integer in [2, {MAX_GROUP}]")
        group = g
    e = Entry()
    _layout(e, name, dtype, dims, group)
    e.name, e.dtype, e.shape, e.group_size = name, dtype, tuple(dims), group
    e.offset = integer("offset")
    e.length = integer("length")
    x = o.get("xxh3")
    if not (isinstance(x, str) and len(x) == 16 and all(c in "0123456789abcdef" for c in x)):
        raise _Fail("invalidHeader", f'invalid header: tensor {q}: "xxh3" must be 16 lowercase hex digits')
    e.checksum = int(x, 16)
    enc = o.get("encoding")
    e.chunk_size = e.filter = None
    if enc == "raw":
        pass
    elif isinstance(enc, str):
        raise _Fail("unknownEncoding", f"tensor {q}: unknown encoding {quoted(enc)}")
    elif isinstance(enc, dict):
        t = enc.get("type")
        if not isinstance(t, str):
            raise _Fail("invalidHeader", f'invalid header: tensor {q}: encoding without a "type"')
        if t != "chunked":
            raise _Fail("unknownEncoding", f"tensor {q}: unknown encoding {quoted(t)}")
        if strict:
            for k in enc:
                if k not in ("type", "chunk_size", "filter"):
                    raise _Fail("invalidHeader", f"invalid header: tensor {q}: unknown encoding key {quoted(k)}")
        f = enc.get("filter")
        if not isinstance(f, str):
            raise _Fail("invalidHeader", f'invalid header: tensor {q}: encoding without a "filter"')
        if f not in ("none", "bytegroup"):
            raise _Fail("unknownEncoding", f"tensor {q}: unknown encoding {quoted('chunked filter ' + f)}")
        if f == "bytegroup" and dtype not in FLOAT_DTYPES:
            raise _Fail("unknownEncoding", f"tensor {q}: unknown encoding {quoted('bytegroup on non-float dtype ' + dtype)}")
        cs = enc.get("chunk_size")
        if not _is_int(cs):
            raise _Fail("invalidHeader", f'invalid header: tensor {q}: encoding without "chunk_size"')
        if not (0 < cs <= MAX_CHUNK and cs % e.unit == 0):
            raise _Fail("badChunkSize", f"tensor {q}: bad chunk size {min(cs, INT_MAX)}")
        e.chunk_size, e.filter = cs, f
    else:
        raise _Fail("invalidHeader", f'invalid header: tensor {q}: "encoding" must be "raw" or an object')
    if e.chunk_size is None and e.length != e.byte_size:
        raise _Fail("lengthMismatch", f"tensor {q}: stored length {e.length}, dtype and shape need {e.byte_size}")
    if e.chunk_size is not None:
        n = 0 if e.byte_size == 0 else (e.byte_size - 1) // e.chunk_size + 1
        if n > MAX_CHUNKS:
            raise _Fail("badChunkTable", f"tensor {q}: bad chunk table: {n} chunks exceed the cap of {MAX_CHUNKS}")
        if e.length < 4 * n:
            raise _Fail("badChunkTable", f"tensor {q}: bad chunk table: {n} chunks need a {4 * n}-byte table, {e.length} bytes stored")
        if n == 0 and e.length != 0:
            raise _Fail("badChunkTable", f"tensor {q}: bad chunk table: an empty tensor stores {e.length} bytes")
    return e


# ---- strict JSON ------------------------------------------------------------------------------------------------

def _pairs(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError(f"duplicate key {quoted(k)}")
        d[k] = v
    return d


def _parse_int(s):
    v = int(s)
    if not -(1 << 63) <= v <= INT_MAX:
        raise ValueError(f"integer {s[:40]} does not fit in 64 bits")
    return v


def _parse_float(s):
    v = float(s)
    if not math.isfinite(v):
        raise ValueError(f"number {s[:40]} is not a finite double")
    return v


def _parse_constant(s):
    raise ValueError(f"{s} is not JSON")


def _check_surrogates(v):
    # RFC 8259 strings with unpaired \u surrogates decode in Python but are not text: the spec forbids them.
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            x.encode("utf-8")
        elif isinstance(x, dict):
            for k, y in x.items():
                k.encode("utf-8")
                stack.append(y)
        elif isinstance(x, list):
            stack.extend(x)


def parse_json(b: bytes):
    at = _ingot.json_depth(b, MAX_DEPTH)
    if at >= 0:
        raise _Fail("invalidJSON", f"header is not valid JSON: nesting deeper than {MAX_DEPTH} at byte {at}")
    try:
        text = b.decode("utf-8")
        v = json.loads(text, object_pairs_hook=_pairs, parse_int=_parse_int, parse_float=_parse_float,
                       parse_constant=_parse_constant)
        _check_surrogates(v)
    except UnicodeError as ex:
        raise _Fail("invalidJSON", f"header is not valid JSON: invalid UTF-8 ({ex.reason})") from None
    except (ValueError, RecursionError) as ex:
        raise _Fail("invalidJSON", f"header is not valid JSON: {ex}") from None
    return v


def _first_nonzero(buf, lo: int, hi: int):
    if hi <= lo:
        return None
    a = np.frombuffer(buf, dtype=np.uint8, count=hi - lo, offset=lo)
    nz = np.flatnonzero(a)
    return lo + int(nz[0]) if nz.size else None


def validate(buf, size: int):
    """Every structural rule of the spec, in the order of §2. Returns (minor, alignment, metadata, entries, data_offset)."""
    if size < PREAMBLE:
        raise _Fail("truncated", f"truncated: preamble needs {PREAMBLE} bytes, {size} remain")
    pre = bytes(buf[:PREAMBLE])
    if pre[:8] != MAGIC:
        raise _Fail("badMagic", "not an Ingot file (bad magic)")
    major, minor, flags, n, checksum, data_offset = struct.unpack("<HHIQQQ", pre[8:])
    if major != MAJOR:
        raise _Fail("unsupportedVersion", f"unsupported format version {major}.{minor} (this reader reads 1.x)")
    if flags:
        raise _Fail("reservedFlags", f"reserved preamble flags set (0x{flags:x})")
    if n > MAX_HEADER:
        raise _Fail("headerTooLarge", f"header length {min(n, INT_MAX)} exceeds the cap of {MAX_HEADER} bytes")
    header_end = PREAMBLE + n
    if header_end > size:
        raise _Fail("headerBeyondFile", f"header ends at byte {header_end} but the file has {size} bytes")
    hb = bytes(buf[PREAMBLE:header_end])
    actual = _ingot.xxh3(hb)
    if actual != checksum:
        raise _Fail("headerChecksumMismatch", f"header checksum mismatch (expected {checksum:016x}, got {actual:016x})")
    root = parse_json(hb)
    if not isinstance(root, dict):
        raise _Fail("invalidHeader", "invalid header: the header is not a JSON object")
    strict = minor <= MINOR
    if strict:
        for k in root:
            if k not in ("alignment", "metadata", "tensors"):
                raise _Fail("invalidHeader", f"invalid header: unknown key {quoted(k)}")
    a = root.get("alignment")
    if not _is_int(a):
        raise _Fail("invalidHeader", 'invalid header: missing integer "alignment"')
    if not (MIN_ALIGN <= a <= MAX_ALIGN and a & (a - 1) == 0):
        raise _Fail("badAlignment", f"alignment {min(a, INT_MAX)} is not a power of two in [{MIN_ALIGN}, {MAX_ALIGN}]")
    meta = root.get("metadata")
    if not isinstance(meta, dict):
        raise _Fail("invalidHeader", 'invalid header: missing object "metadata"')
    tensors = root.get("tensors")
    if not isinstance(tensors, list):
        raise _Fail("invalidHeader", 'invalid header: missing array "tensors"')
    if len(tensors) > MAX_TENSORS:
        raise _Fail("tooManyTensors", f"{len(tensors)} tensors exceed the cap of {MAX_TENSORS}")
    entries, seen = [], set()
    for i, t in enumerate(tensors):
        e = _entry(t, i, strict)
        if e.name in seen:
            raise _Fail("duplicateName", f"duplicate tensor name {quoted(e.name)}")
        seen.add(e.name)
        entries.append(e)
    if data_offset > INT_MAX or data_offset % PAGE or data_offset < header_end:
        raise _Fail("badDataOffset", f"data offset {min(data_offset, INT_MAX)} is not page aligned or overlaps the header")
    if data_offset > size:
        raise _Fail("truncated", f"truncated: data section needs {data_offset} bytes, {size} remain")
    nz = _first_nonzero(buf, header_end, data_offset)
    if nz is not None:
        raise _Fail("nonzeroPadding", f"nonzero padding byte at file offset {nz}")
    data_size = size - data_offset
    end = 0
    for e in entries:
        q = quoted(e.name)
        if e.offset % a:
            raise _Fail("misaligned", f"tensor {q}: offset {e.offset} is not a multiple of the alignment {a}")
        t_end = e.offset + e.length
        if t_end > INT_MAX:
            raise _Fail("sizeOverflow", f"tensor {q}: size overflows")
        expected = (end + a - 1) & ~(a - 1)
        if e.offset < end:
            raise _Fail("overlap", f"tensor {q}: offset {e.offset} overlaps the previous tensor (ends at {end})")
        if e.offset != expected:
            raise _Fail("hole", f"tensor {q}: offset {e.offset} leaves a hole (expected {expected})")
        if t_end > data_size:
            raise _Fail("tensorBeyondFile", f"tensor {q}: data ends at byte {min(data_offset + t_end, INT_MAX)} but the file has {size} bytes")
        end = t_end
    if data_offset + end != size:
        raise _Fail("trailingBytes", f"file has {size} bytes but its layout accounts for {data_offset + end}")
    prev = 0
    for e in entries:
        nz = _first_nonzero(buf, data_offset + prev, data_offset + e.offset)
        if nz is not None:
            raise _Fail("nonzeroPadding", f"nonzero padding byte at file offset {nz}")
        prev = e.offset + e.length
    return minor, a, meta, entries, data_offset


# ---- memory -----------------------------------------------------------------------------------------------------

def _usable_memory() -> int:
    mem = None
    try:
        mem = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        pass
    for f in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(f) as fh:
                v = int(fh.read(64).strip())
            if v > 0:
                mem = v if mem is None else min(mem, v)
        except (OSError, ValueError):
            pass
    try:
        import resource
        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        if 0 < soft < INT_MAX and soft != resource.RLIM_INFINITY:
            mem = soft if mem is None else min(mem, soft)
    except (ImportError, OSError, ValueError):
        pass
    return mem if mem else 8 << 30


MEMORY_BUDGET = max(_usable_memory() // 2, 64 << 20)


def default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


# ---- an open file -----------------------------------------------------------------------------------------------

class IngotFile:
    """An open, validated Ingot file: a private (copy-on-write) mapping, the header, and decoding."""

    def __init__(self, path, threads: int | None = None):
        self.path = os.fspath(path)
        self.threads = threads or default_threads()
        self._verified = set()
        self._lock = threading.Lock()
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as ex:
            raise IngotIOError(self.path, ex.strerror or str(ex), "io") from None
        try:
            size = os.fstat(fd).st_size
            if size == 0:
                self._map = None
                self.buf = memoryview(b"")
            else:
                self._map = mmap.mmap(fd, size, access=mmap.ACCESS_COPY)
                self.buf = memoryview(self._map)
        except (OSError, ValueError) as ex:
            raise IngotIOError(self.path, f"cannot map the file: {ex}", "io") from None
        finally:
            os.close(fd)
        self.size = size
        try:
            self.minor, self.alignment, self.metadata, self.entries, self.data_offset = validate(self.buf, size)
        except _Fail as f:
            self.close()
            raise InvalidFileError(self.path, f.problem, f.kind) from None
        self.index = {e.name: e for e in self.entries}

    def close(self):
        buf, self.buf = self.buf, memoryview(b"")
        try:
            buf.release()
        except (BufferError, ValueError):
            pass
        if self._map is not None:
            try:
                self._map.close()
            except BufferError:
                pass  # arrays still use the mapping: it lives until they are gone
            self._map = None

    def entry(self, name: str) -> Entry:
        e = self.index.get(name)
        if e is None:
            raise NoSuchTensorError(self.path, f"no tensor named {quoted(str(name))}", "noSuchTensor")
        return e

    def stored(self, e: Entry):
        lo = self.data_offset + e.offset
        return self.buf[lo:lo + e.length]

    def _fail(self, kind, problem):
        return error_for(kind, self.path, problem)

    def decode(self, e: Entry, lo: int = 0, hi: int | None = None, verify: bool = True) -> np.ndarray:
        """Decoded bytes [lo, hi) of a tensor as a uint8 array (a view of the mapping for raw tensors). A whole read
        is checked against the tensor's XXH3 the first time (as the Swift reader does); a part is not."""
        if hi is None:
            hi = e.byte_size
        if not (0 <= lo <= hi <= e.byte_size):
            raise UnsupportedError(self.path, f"byte range {lo}..<{hi} outside tensor {quoted(e.name)}", "unsupported")
        whole = lo == 0 and hi == e.byte_size
        if e.chunk_size is None:
            if self._map is None:
                out = np.zeros(0, dtype=np.uint8)
            else:
                out = np.frombuffer(self._map, dtype=np.uint8, count=hi - lo, offset=self.data_offset + e.offset + lo)
        elif hi == lo:
            out = np.empty(0, dtype=np.uint8)
        else:
            cs = e.chunk_size
            first, last = lo // cs, (hi - 1) // cs + 1
            c_lo, c_hi = first * cs, min(e.byte_size, last * cs)
            if c_hi - c_lo > MEMORY_BUDGET:
                raise MemoryBudgetError(self.path, f"tensor {quoted(e.name)} (decompressed) needs {c_hi - c_lo} bytes in memory, more than this machine can hold (the cap is {MEMORY_BUDGET} bytes, half its memory)", "memory")
            try:
                out = np.empty(c_hi - c_lo, dtype=np.uint8)
            except MemoryError:
                raise MemoryBudgetError(self.path, f"tensor {quoted(e.name)} (decompressed) needs {c_hi - c_lo} bytes in memory, more than this machine can give", "memory") from None
            want = whole and verify and e.name not in self._verified
            try:
                digest = _ingot.decode_chunks(self.stored(e), out, e.byte_size, cs, e.planes, first, last, self.threads, want)
            except _ingot.ChunkError as ex:
                kind, msg = ex.args
                raise self._fail(kind, f"tensor {quoted(e.name)}: {msg}") from None
            self._drop_pages(e)
            if want:
                self.check(e, out, digest)
                return out
            if c_lo != lo or c_hi != hi:
                out = out[lo - c_lo:hi - c_lo]
        if whole and verify and e.name not in self._verified:
            self.check(e, out)
        return out

    def _populate(self, lo: int, n: int) -> None:
        """Maps a raw tensor's pages in one call before hashing it (MADV_POPULATE_READ, Linux 5.14+), instead of
        one page fault per few pages; silently nothing where the kernel lacks it."""
        a = lo // mmap.PAGESIZE * mmap.PAGESIZE
        try:
            self._map.madvise(_MADV_POPULATE_READ, a, lo + n - a)
        except (OSError, ValueError):
            pass

    def _drop_pages(self, e: Entry) -> None:
        """After decoding, the compressed bytes' pages are dropped from this process (they are clean pages of a
        private mapping, read again from the file if needed), so peak memory is the decoded tensors, not both."""
        if self._map is None or not hasattr(mmap, "MADV_DONTNEED"):
            return
        lo = self.data_offset + e.offset
        a, b = -(-lo // mmap.PAGESIZE) * mmap.PAGESIZE, (lo + e.length) // mmap.PAGESIZE * mmap.PAGESIZE
        if b > a:
            try:
                self._map.madvise(mmap.MADV_DONTNEED, a, b - a)
            except (OSError, ValueError):
                pass

    def check(self, e: Entry, data, actual=None) -> None:
        if actual is None:
            if self._map is not None and e.chunk_size is None and e.length >= 1 << 20:
                self._populate(self.data_offset + e.offset, e.length)
            actual = _ingot.xxh3(data)
        if actual != e.checksum:
            raise ChecksumMismatchError(self.path, f"tensor {quoted(e.name)}: checksum mismatch (expected {e.checksum:016x}, got {actual:016x})", "tensorChecksumMismatch")
        with self._lock:
            self._verified.add(e.name)
