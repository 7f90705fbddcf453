#!/usr/bin/env python3
"""Independent reader and validator for the Ingot container, version 1.0.

Written from specs/format.md and specs/format-example.md ONLY (no knowledge of the
Swift implementation).  Pure Python 3.11 + the `xxhash` (XXH3-64) and `zstandard`
packages.

Library use:
    metadata, tensors = open_ingot(path)
    # tensors: list of {"name", "dtype", "shape", "group_size", "data", ...}

Command line:
    python3 scripts/ingot_reader.py FILE [--dump-safetensors OUT]

Every violated MUST rule raises IngotFormatError, whose `rule` attribute is a stable
identifier (e.g. "layout.4.no_hole") and whose message names the spec section, the
tensor and, for chunked data, the chunk and plane.
"""

from __future__ import annotations

import argparse
import json
import mmap
import os
import re
import struct
import sys

import xxhash
import zstandard

__all__ = ["IngotFormatError", "open_ingot", "read_layout", "decode_tensor",
           "write_safetensors", "DTYPES", "READER_MINOR"]

# --------------------------------------------------------------------------------------
# constants from the spec
# --------------------------------------------------------------------------------------

MAGIC = b"\x89INGOT\r\n"
PREAMBLE_SIZE = 40
READER_MAJOR = 1
READER_MINOR = 0
MAX_HEADER_LEN = 100_000_000
MAX_DEPTH = 64
MAX_TENSORS = 1_000_000
MAX_NAME_BYTES = 4096
MAX_RANK = 8
MAX_CHUNK_SIZE = 64 * 1024 * 1024
MAX_GROUP_SIZE = 1 << 20
I64_MIN = -(1 << 63)
I64_MAX = (1 << 63) - 1
BYTE_SIZE_LIMIT = 1 << 62   # byte size must stay below 2^62
PAGE = 4096

# dtype -> (block?, bytes per element for scalars | callable(G) for blocks)
_SCALAR = {
    "f32": 4, "f16": 2, "bf16": 2, "f64": 8,
    "i8": 1, "i16": 2, "i32": 4, "i64": 8,
    "u8": 1, "bool": 1,
}
_BLOCK = {
    "q8_0": lambda g: 2 + g,
    "q4_0": lambda g: 2 + g // 2,
    "q4_1": lambda g: 4 + g // 2,
}
DTYPES = tuple(_SCALAR) + tuple(_BLOCK)
BYTEGROUP_DTYPES = {"f32": 4, "f16": 2, "bf16": 2, "f64": 8}

TOP_KEYS = ("alignment", "metadata", "tensors")
TENSOR_KEYS = ("name", "dtype", "group_size", "shape", "offset", "length", "encoding", "xxh3")
CHUNKED_KEYS = ("type", "chunk_size", "filter")

CODEC_STORED, CODEC_ZSTD, CODEC_ENTROPY = 0, 1, 2
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class IngotFormatError(ValueError):
    """A file breaks a MUST rule of the Ingot spec."""

    def __init__(self, rule: str, section: str, detail: str, tensor: str | None = None,
                 chunk: int | None = None, plane: int | None = None):
        self.rule = rule
        self.section = section
        self.detail = detail
        self.tensor = tensor
        self.chunk = chunk
        self.plane = plane
        where = ""
        if tensor is not None:
            where += f" tensor {tensor!r}"
        if chunk is not None:
            where += f" chunk {chunk}"
        if plane is not None:
            where += f" plane {plane}"
        super().__init__(f"[{rule}] ({section}){where}: {detail}")


def _err(rule, section, detail, **kw):
    return IngotFormatError(rule, section, detail, **kw)


# --------------------------------------------------------------------------------------
# strict JSON (RFC 8259 + §3 rules)
# --------------------------------------------------------------------------------------

_WS = " \t\n\r"
_NUM_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
# run of ordinary string characters: anything but '"', '\\' and C0 controls
_STR_RUN_RE = re.compile(r'[^"\\\x00-\x1f]+')
_HEX4_RE = re.compile(r"[0-9a-fA-F]{4}")
_ESC = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class _Parser:
    SECTION = "§3 header JSON"

    def __init__(self, text: str):
        self.s = text
        self.i = 0
        self.n = len(text)

    def fail(self, rule, detail):
        return _err(rule, self.SECTION, f"{detail} (at character {self.i})")

    def ws(self):
        s, i, n = self.s, self.i, self.n
        while i < n and s[i] in _WS:
            i += 1
        self.i = i

    def parse_document(self):
        self.ws()
        v = self.value(0)
        self.ws()
        if self.i != self.n:
            raise self.fail("header.trailing_data", "non-whitespace after the top-level value")
        return v

    def value(self, depth):
        if self.i >= self.n:
            raise self.fail("header.json_syntax", "unexpected end of JSON")
        c = self.s[self.i]
        if c == "{":
            return self.obj(depth + 1)
        if c == "[":
            return self.arr(depth + 1)
        if c == '"':
            return self.string()
        if c == "-" or "0" <= c <= "9":
            return self.number()
        for lit, val in (("true", True), ("false", False), ("null", None)):
            if self.s.startswith(lit, self.i):
                self.i += len(lit)
                return val
        raise self.fail("header.json_syntax", f"unexpected character {c!r}")

    def obj(self, depth):
        if depth > MAX_DEPTH:
            raise self.fail("header.nesting_depth", f"arrays/objects nest deeper than {MAX_DEPTH}")
        self.i += 1
        out = {}
        self.ws()
        if self.i < self.n and self.s[self.i] == "}":
            self.i += 1
            return out
        while True:
            self.ws()
            if self.i >= self.n or self.s[self.i] != '"':
                raise self.fail("header.json_syntax", "expected a string key")
            key_pos = self.i
            k = self.string()
            if k in out:
                self.i = key_pos
                raise self.fail("header.duplicate_key", f"duplicate object key {k!r}")
            self.ws()
            if self.i >= self.n or self.s[self.i] != ":":
                raise self.fail("header.json_syntax", "expected ':'")
            self.i += 1
            self.ws()
            out[k] = self.value(depth)
            self.ws()
            if self.i >= self.n:
                raise self.fail("header.json_syntax", "unterminated object")
            c = self.s[self.i]
            self.i += 1
            if c == "}":
                return out
            if c != ",":
                self.i -= 1
                raise self.fail("header.json_syntax", "expected ',' or '}'")

    def arr(self, depth):
        if depth > MAX_DEPTH:
            raise self.fail("header.nesting_depth", f"arrays/objects nest deeper than {MAX_DEPTH}")
        self.i += 1
        out = []
        self.ws()
        if self.i < self.n and self.s[self.i] == "]":
            self.i += 1
            return out
        while True:
            self.ws()
            out.append(self.value(depth))
            self.ws()
            if self.i >= self.n:
                raise self.fail("header.json_syntax", "unterminated array")
            c = self.s[self.i]
            self.i += 1
            if c == "]":
                return out
            if c != ",":
                self.i -= 1
                raise self.fail("header.json_syntax", "expected ',' or ']'")

    def string(self):
        s, n = self.s, self.n
        self.i += 1  # opening quote
        parts = []
        while True:
            if self.i >= n:
                raise self.fail("header.json_syntax", "unterminated string")
            m = _STR_RUN_RE.match(s, self.i)
            if m:
                parts.append(m.group())
                self.i = m.end()
                continue
            c = s[self.i]
            if c == '"':
                self.i += 1
                return "".join(parts)
            if c == "\\":
                self.i += 1
                if self.i >= n:
                    raise self.fail("header.json_syntax", "unterminated escape")
                e = s[self.i]
                if e in _ESC:
                    parts.append(_ESC[e])
                    self.i += 1
                elif e == "u":
                    cp = self.hex4()
                    if 0xD800 <= cp <= 0xDBFF:
                        if s.startswith("\\u", self.i):
                            save = self.i
                            self.i += 1
                            lo = self.hex4()
                            if 0xDC00 <= lo <= 0xDFFF:
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                            else:
                                self.i = save
                                raise self.fail("header.unpaired_surrogate",
                                                "high surrogate \\u escape not followed by a low one")
                        else:
                            raise self.fail("header.unpaired_surrogate",
                                            "high surrogate \\u escape not followed by a low one")
                    elif 0xDC00 <= cp <= 0xDFFF:
                        raise self.fail("header.unpaired_surrogate", "lone low surrogate \\u escape")
                    parts.append(chr(cp))
                else:
                    raise self.fail("header.json_syntax", f"invalid escape \\{e}")
                continue
            # c is a C0 control character
            raise self.fail("header.control_character",
                            f"unescaped control character U+{ord(c):04X} in a string")

    def hex4(self):
        # self.i points at 'u'
        self.i += 1
        m = _HEX4_RE.match(self.s, self.i)
        if not m:
            raise self.fail("header.json_syntax", "\\u escape needs 4 hex digits")
        self.i = m.end()
        return int(m.group(), 16)

    def number(self):
        m = _NUM_RE.match(self.s, self.i)
        if not m:
            raise self.fail("header.json_syntax", "invalid number")
        text = m.group()
        # a number must not run straight into more number-ish characters (e.g. "01", "1.")
        end = m.end()
        if end < self.n and self.s[end] in "0123456789.eE+-":
            raise self.fail("header.json_syntax", f"invalid number {self.s[self.i:end + 1]!r}")
        if m.group(1) is None and m.group(2) is None:
            digits = text.lstrip("-")
            if len(digits) > 19:
                raise self.fail("header.integer_range",
                                f"integer {text[:40]} does not fit in a signed 64-bit integer")
            v = int(text)
            if not (I64_MIN <= v <= I64_MAX):
                raise self.fail("header.integer_range",
                                f"integer {text} does not fit in a signed 64-bit integer")
        else:
            v = float(text)
            if v != v or v in (float("inf"), float("-inf")):
                raise self.fail("header.float_range", f"float {text[:40]} is not a finite binary64")
        self.i = end
        return v


def parse_header_json(raw: bytes):
    """Parse the header bytes with every §3 rule.  Returns Python values: dict
    (insertion ordered), list, str, int (JSON integer), float (JSON float), bool, None."""
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise _err("header.utf8", "§3 header JSON",
                   f"header is not valid UTF-8 at byte {e.start}: {e.reason}") from None
    return _Parser(text).parse_document()


def _is_int(v):
    return type(v) is int  # excludes bool


# --------------------------------------------------------------------------------------
# schema (§3, §6, §7.2 keys)
# --------------------------------------------------------------------------------------

def _checked_mul(a, b, what, tname):
    r = a * b
    if r > I64_MAX or r < I64_MIN:
        raise _err("tensor.size_overflow", "§3 tensor table", f"{what} overflows a signed 64-bit integer",
                   tensor=tname)
    return r


class TensorEntry:
    __slots__ = ("index", "name", "dtype", "group_size", "shape", "offset", "length", "encoding",
                 "xxh3", "element_count", "byte_size", "unit_bytes", "elements_per_unit",
                 "chunk_size", "filter")

    def as_dict(self):
        return {k: getattr(self, k) for k in self.__slots__}


def _check_keys(obj, allowed, required, minor, rule_prefix, section, tname=None):
    for k in obj:
        if k not in allowed and minor <= READER_MINOR:
            raise _err(f"{rule_prefix}.unknown_key", section + " / §8",
                       f"unknown key {k!r} (file minor version {minor} <= reader's {READER_MINOR})",
                       tensor=tname)
    for k in required:
        if k not in obj:
            raise _err(f"{rule_prefix}.missing_key", section, f"missing required key {k!r}", tensor=tname)


def validate_schema(doc, minor):
    S = "§3 header"
    if not isinstance(doc, dict):
        raise _err("schema.top_level", S, "top-level JSON value is not an object")
    _check_keys(doc, TOP_KEYS, TOP_KEYS, minor, "schema", S)

    alignment = doc["alignment"]
    if not _is_int(alignment):
        raise _err("schema.alignment", S, f"alignment must be a JSON integer, got {alignment!r}")
    if not (8 <= alignment <= 4096) or alignment & (alignment - 1):
        raise _err("schema.alignment", S, f"alignment {alignment} is not a power of two in [8, 4096]")

    metadata = doc["metadata"]
    if not isinstance(metadata, dict):
        raise _err("schema.metadata", "§4 metadata", "metadata must be a JSON object")

    tensors = doc["tensors"]
    if not isinstance(tensors, list):
        raise _err("schema.tensors", S, "tensors must be a JSON array")
    if len(tensors) > MAX_TENSORS:
        raise _err("schema.tensor_count", S, f"{len(tensors)} tensors > {MAX_TENSORS}")

    entries = []
    seen = set()
    for idx, t in enumerate(tensors):
        entries.append(_validate_entry(idx, t, minor, seen))
    return alignment, metadata, entries


def _validate_entry(idx, t, minor, seen):
    S = "§3 tensor table"
    if not isinstance(t, dict):
        raise _err("tensor.not_object", S, f"tensors[{idx}] is not an object")
    tname = t.get("name") if isinstance(t.get("name"), str) else f"#{idx}"
    required = tuple(k for k in TENSOR_KEYS if k != "group_size")
    _check_keys(t, TENSOR_KEYS, required, minor, "tensor", S, tname)
    e = TensorEntry()
    e.index = idx

    # name
    name = t["name"]
    if not isinstance(name, str):
        raise _err("tensor.name", S, f"name must be a string, got {name!r}", tensor=tname)
    nb = len(name.encode("utf-8"))
    if not 1 <= nb <= MAX_NAME_BYTES:
        raise _err("tensor.name", S, f"name is {nb} UTF-8 bytes, must be 1..{MAX_NAME_BYTES}", tensor=tname)
    for ch in name:
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            raise _err("tensor.name", S, f"name contains control character U+{ord(ch):04X}", tensor=tname)
    if name in seen:
        raise _err("tensor.name_unique", S, "name is not unique in the file", tensor=tname)
    seen.add(name)
    e.name = name

    # dtype
    dtype = t["dtype"]
    if not isinstance(dtype, str) or dtype not in DTYPES:
        raise _err("tensor.dtype", "§6 dtypes", f"unknown dtype {dtype!r}", tensor=name)
    e.dtype = dtype

    # shape (checked before group_size, which needs the last dimension)
    shape = t["shape"]
    if not isinstance(shape, list):
        raise _err("tensor.shape", S, "shape must be an array of integers", tensor=name)
    if len(shape) > MAX_RANK:
        raise _err("tensor.shape", S, f"rank {len(shape)} > {MAX_RANK}", tensor=name)
    for d in shape:
        if not _is_int(d):
            raise _err("tensor.shape", S, f"dimension {d!r} is not a JSON integer", tensor=name)
        if d < 0:
            raise _err("tensor.shape", S, f"dimension {d} < 0", tensor=name)
    e.shape = list(shape)

    # group_size
    if dtype in _BLOCK:
        if "group_size" not in t:
            raise _err("tensor.group_size", "§6 dtypes", f"block dtype {dtype} needs group_size", tensor=name)
        g = t["group_size"]
        if not _is_int(g):
            raise _err("tensor.group_size", "§6 dtypes", f"group_size {g!r} is not a JSON integer", tensor=name)
        if g % 2 or not (2 <= g <= MAX_GROUP_SIZE):
            raise _err("tensor.group_size", "§6 dtypes",
                       f"group_size {g} must be even and in [2, {MAX_GROUP_SIZE}]", tensor=name)
        if not shape:
            raise _err("tensor.group_size", "§6 dtypes", "a scalar cannot be block-quantized", tensor=name)
        if shape[-1] % g:
            raise _err("tensor.group_size", "§6 dtypes",
                       f"group_size {g} does not divide the last dimension {shape[-1]}", tensor=name)
        e.group_size = g
        e.elements_per_unit = g
        e.unit_bytes = _BLOCK[dtype](g)
    else:
        if "group_size" in t:
            raise _err("tensor.group_size", "§6 dtypes",
                       f"group_size must be absent for dtype {dtype}", tensor=name)
        e.group_size = None
        e.elements_per_unit = 1
        e.unit_bytes = _SCALAR[dtype]

    # element count and byte size, with overflow checks (left-to-right product)
    count = 1
    for d in shape:
        count = _checked_mul(count, d, "element count", name)
    e.element_count = count
    units = count // e.elements_per_unit
    byte_size = _checked_mul(units, e.unit_bytes, "byte size", name)
    if byte_size >= BYTE_SIZE_LIMIT:
        raise _err("tensor.size_overflow", S, f"byte size {byte_size} is not below 2^62", tensor=name)
    e.byte_size = byte_size

    # offset, length
    for key in ("offset", "length"):
        v = t[key]
        if not _is_int(v) or v < 0:
            raise _err(f"tensor.{key}", S, f"{key} must be a JSON integer >= 0, got {v!r}", tensor=name)
    e.offset = t["offset"]
    e.length = t["length"]

    # encoding
    enc = t["encoding"]
    if isinstance(enc, str):
        if enc != "raw":
            raise _err("encoding.unknown", "§7 encodings", f"unknown encoding {enc!r}", tensor=name)
        e.encoding = "raw"
        e.chunk_size = None
        e.filter = None
    elif isinstance(enc, dict):
        ES = "§7.2 chunked"
        _check_keys(enc, CHUNKED_KEYS, CHUNKED_KEYS, minor, "encoding", ES, name)
        if enc["type"] != "chunked":
            raise _err("encoding.type", ES, f"encoding type {enc['type']!r} is not \"chunked\"", tensor=name)
        cs = enc["chunk_size"]
        if not _is_int(cs) or not (1 <= cs <= MAX_CHUNK_SIZE):
            raise _err("encoding.chunk_size", ES, f"chunk_size {cs!r} is not an integer in [1, {MAX_CHUNK_SIZE}]",
                       tensor=name)
        if cs % e.unit_bytes:
            raise _err("encoding.chunk_size", ES,
                       f"chunk_size {cs} is not a multiple of the unit size {e.unit_bytes}", tensor=name)
        flt = enc["filter"]
        if flt == "none":
            pass
        elif flt == "bytegroup":
            if dtype not in BYTEGROUP_DTYPES:
                raise _err("encoding.filter", ES, f"filter bytegroup is not allowed for dtype {dtype}", tensor=name)
        else:
            raise _err("encoding.filter", ES, f"unknown filter {flt!r}", tensor=name)
        e.encoding = "chunked"
        e.chunk_size = cs
        e.filter = flt
    else:
        raise _err("encoding.unknown", "§7 encodings", "encoding must be \"raw\" or an object", tensor=name)

    # xxh3
    x = t["xxh3"]
    if not isinstance(x, str) or not re.fullmatch(r"[0-9a-f]{16}", x):
        raise _err("tensor.xxh3", S, f"xxh3 {x!r} is not exactly 16 lowercase hex digits", tensor=name)
    e.xxh3 = x
    return e


# --------------------------------------------------------------------------------------
# layout (§2, §5)
# --------------------------------------------------------------------------------------

def _align_up(x, a):
    return (x + a - 1) // a * a


class IngotFile:
    """Result of read_layout: the validated header and a buffer over the whole file."""

    def __init__(self, buf, file_size, major, minor, header_len, data_offset, alignment, metadata, entries):
        self.buf = buf
        self.file_size = file_size
        self.major = major
        self.minor = minor
        self.header_len = header_len
        self.data_offset = data_offset
        self.alignment = alignment
        self.metadata = metadata
        self.entries = entries

    def stored(self, e: TensorEntry) -> memoryview:
        start = self.data_offset + e.offset
        return memoryview(self.buf)[start:start + e.length]


def read_layout(buf) -> IngotFile:
    """Check everything that depends only on the preamble, header and file size (§2–§6),
    in the order of §2.  `buf` is bytes / mmap of the whole file."""
    size = len(buf)
    P = "§2 preamble"
    if size < PREAMBLE_SIZE:
        raise _err("preamble.truncated", P, f"file is {size} bytes, shorter than the 40-byte preamble")
    magic, major, minor, flags, hlen, hsum, data_offset = struct.unpack_from("<8sHHIQQQ", buf, 0)
    if magic != MAGIC:
        raise _err("preamble.magic", P, f"bad magic {bytes(magic)!r}")
    if major != READER_MAJOR:
        raise _err("preamble.major_version", P, f"major version {major} is not 1")
    if flags != 0:
        raise _err("preamble.flags", P, f"flags 0x{flags:08x} must be 0")
    if hlen > MAX_HEADER_LEN:
        raise _err("preamble.header_length", P, f"header length {hlen} > {MAX_HEADER_LEN}")
    if PREAMBLE_SIZE + hlen > size:
        raise _err("preamble.header_truncated", P,
                   f"header ends at {PREAMBLE_SIZE + hlen}, beyond the end of the file ({size})")
    header = bytes(buf[PREAMBLE_SIZE:PREAMBLE_SIZE + hlen])
    actual = xxhash.xxh3_64_intdigest(header)
    if actual != hsum:
        raise _err("preamble.header_checksum", P,
                   f"header XXH3-64 is {actual:016x}, preamble says {hsum:016x}")

    doc = parse_header_json(header)
    alignment, metadata, entries = validate_schema(doc, minor)

    if data_offset % PAGE or data_offset < PREAMBLE_SIZE + hlen or data_offset > size:
        raise _err("preamble.data_offset", P,
                   f"data_offset {data_offset} must be a multiple of 4096, >= 40 + N = {PREAMBLE_SIZE + hlen} "
                   f"and <= file size {size}")
    pad = bytes(buf[PREAMBLE_SIZE + hlen:data_offset])
    if pad.count(0) != len(pad):
        first = next(i for i, b in enumerate(pad) if b)
        raise _err("padding.header", P, f"non-zero byte at file offset {PREAMBLE_SIZE + hlen + first} "
                                        f"between the header and data_offset")

    L = "§5 layout"
    prev_end = 0
    for e in entries:
        n = e.name
        if e.offset % alignment:
            raise _err("layout.1.alignment", L, f"offset {e.offset} is not a multiple of alignment {alignment}",
                       tensor=n)
        end = e.offset + e.length
        if end > I64_MAX:
            raise _err("layout.2.overflow", L, f"offset + length = {end} overflows a signed 64-bit integer",
                       tensor=n)
        if e.offset < prev_end:
            raise _err("layout.3.overlap", L, f"offset {e.offset} < end of the previous tensor {prev_end}",
                       tensor=n)
        expect = _align_up(prev_end, alignment)
        if e.offset != expect:
            raise _err("layout.4.no_hole", L,
                       f"offset {e.offset} != align_up(previous end {prev_end}, {alignment}) = {expect}", tensor=n)
        if data_offset + end > size:
            raise _err("layout.5.beyond_eof", L,
                       f"stored bytes end at file offset {data_offset + end}, beyond the file size {size}", tensor=n)
        gap = bytes(buf[data_offset + prev_end:data_offset + e.offset])
        if gap.count(0) != len(gap):
            raise _err("layout.6.padding", L, f"non-zero padding byte between data offsets {prev_end} and {e.offset}",
                       tensor=n)
        if e.encoding == "raw" and e.length != e.byte_size:
            raise _err("layout.7.raw_length", L, f"raw length {e.length} != byte size {e.byte_size}", tensor=n)
        prev_end = end
    expect_size = data_offset + prev_end
    if size != expect_size:
        raise _err("layout.file_size", L, f"file size {size} != data_offset + end of last tensor = {expect_size}")

    return IngotFile(buf, size, major, minor, hlen, data_offset, alignment, metadata, entries)


# --------------------------------------------------------------------------------------
# decoding (§7)
# --------------------------------------------------------------------------------------

_MASKS: dict = {}


def _masks(W, count):
    key = (W, count)
    m = _MASKS.get(key)
    if m is None:
        low = int.from_bytes((b"\x01" + b"\x00" * (W - 1)) * count, "little")
        m = (low, low << (8 * W - 1))
        if len(_MASKS) > 64:
            _MASKS.clear()
        _MASKS[key] = m
    return m


def bytegroup_decode(planes, W):
    """Interleave W planes into rotated values r, then rotate each right by one bit."""
    count = len(planes[0])
    buf = bytearray(count * W)
    for p, plane in enumerate(planes):
        buf[p::W] = plane
    x = int.from_bytes(buf, "little")
    low, top = _masks(W, count)
    y = ((x >> 1) & ~top) | ((x & low) << (8 * W - 1))
    return y.to_bytes(count * W, "little")


def bytegroup_encode(data, W):
    """Inverse of bytegroup_decode (used by tests): rotate left by one bit, split into planes."""
    count = len(data) // W
    x = int.from_bytes(data, "little")
    low, top = _masks(W, count)
    full = (1 << (8 * W * count)) - 1
    r = (((x << 1) & ~low) & full) | ((x & top) >> (8 * W - 1))
    rb = r.to_bytes(count * W, "little")
    return [rb[p::W] for p in range(W)]


def _zstd_plane(payload: bytes, plane_size, tname, k, p):
    C = "§7.2 codecs"
    if payload[:4] != ZSTD_MAGIC:
        raise _err("codec.zstd_frame", C, "payload is not a zstd frame (bad frame magic)", tensor=tname, chunk=k, plane=p)
    try:
        csize = zstandard.frame_content_size(payload)
    except zstandard.ZstdError as ex:
        raise _err("codec.zstd_frame", C, f"bad zstd frame header: {ex}", tensor=tname, chunk=k, plane=p) from None
    if csize < 0:
        raise _err("codec.zstd_content_size", C, "zstd frame does not record its content size",
                   tensor=tname, chunk=k, plane=p)
    if csize != plane_size:
        raise _err("codec.zstd_content_size", C, f"zstd frame content size {csize} != plane size {plane_size}",
                   tensor=tname, chunk=k, plane=p)
    d = zstandard.ZstdDecompressor().decompressobj()
    try:
        out = d.decompress(payload)
    except zstandard.ZstdError as ex:
        raise _err("codec.zstd_decode", C, f"zstd frame fails to decode: {ex}", tensor=tname, chunk=k, plane=p) from None
    if not d.eof:
        raise _err("codec.zstd_decode", C, "zstd frame is incomplete", tensor=tname, chunk=k, plane=p)
    if d.unused_data:
        raise _err("codec.zstd_trailing", C, f"{len(d.unused_data)} bytes after the zstd frame",
                   tensor=tname, chunk=k, plane=p)
    if len(out) != plane_size:
        raise _err("codec.zstd_decode", C, f"zstd frame decodes to {len(out)} bytes, plane size is {plane_size}",
                   tensor=tname, chunk=k, plane=p)
    return out


def decode_tensor(f: IngotFile, e: TensorEntry) -> bytes:
    """Return the decoded bytes of one tensor (does not check the xxh3)."""
    stored = f.stored(e)
    if e.encoding == "raw":
        return bytes(stored)
    C = "§7.2 chunked"
    name = e.name
    cs = e.chunk_size
    bs = e.byte_size
    n = -(-bs // cs)
    W = BYTEGROUP_DTYPES[e.dtype] if e.filter == "bytegroup" else 1
    P = W
    if e.length < 4 * n:
        raise _err("chunked.table_length", C, f"length {e.length} < 4·n = {4 * n} (n = {n} chunks)", tensor=name)
    sizes = struct.unpack_from(f"<{n}I", stored, 0) if n else ()
    if sum(sizes) != e.length - 4 * n:
        raise _err("chunked.chunk_sum", C,
                   f"chunk sizes add up to {sum(sizes)}, expected length − 4n = {e.length - 4 * n}", tensor=name)
    for k, s in enumerate(sizes):
        dec = min(bs, (k + 1) * cs) - k * cs
        if s > 5 * P + dec:
            raise _err("chunked.chunk_cap", C, f"stored size {s} > 5·P + decoded size = {5 * P + dec}",
                       tensor=name, chunk=k)
    out = bytearray()
    pos = 4 * n
    for k, s in enumerate(sizes):
        dec = min(bs, (k + 1) * cs) - k * cs
        chunk = bytes(stored[pos:pos + s])
        pos += s
        out += _decode_chunk(chunk, dec, P, W, name, k)
    return bytes(out)


def _decode_chunk(chunk: bytes, dec, P, W, name, k):
    C = "§7.2 chunk"
    if dec % W:  # cannot happen for a valid header (chunk_size is a multiple of W)
        raise _err("chunk.plane_size", C, f"decoded chunk size {dec} is not a multiple of {W}", tensor=name, chunk=k)
    psize = dec // W
    if len(chunk) < 5 * P:
        raise _err("chunk.directory", C, f"chunk of {len(chunk)} bytes cannot hold its {5 * P}-byte plane directory",
                   tensor=name, chunk=k)
    directory = [struct.unpack_from("<BI", chunk, 5 * p) for p in range(P)]
    total = sum(ln for _, ln in directory)
    if total != len(chunk) - 5 * P:
        raise _err("chunk.payload_sum", C,
                   f"plane payload lengths add up to {total}, rest of the chunk is {len(chunk) - 5 * P}",
                   tensor=name, chunk=k)
    for p, (codec, ln) in enumerate(directory):
        if ln > psize:
            raise _err("chunk.payload_cap", C, f"payload length {ln} > plane size {psize}",
                       tensor=name, chunk=k, plane=p)
    planes = []
    pos = 5 * P
    for p, (codec, ln) in enumerate(directory):
        payload = chunk[pos:pos + ln]
        pos += ln
        if codec == CODEC_STORED:
            if ln != psize:
                raise _err("codec.stored_length", "§7.2 codecs", f"stored payload {ln} bytes != plane size {psize}",
                           tensor=name, chunk=k, plane=p)
            planes.append(payload)
        elif codec == CODEC_ZSTD:
            planes.append(_zstd_plane(payload, psize, name, k, p))
        elif codec == CODEC_ENTROPY:
            raise _err("codec.entropy_unsupported", "§7.2 codecs",
                       "codec 2 (entropy) is not implemented by this reader", tensor=name, chunk=k, plane=p)
        else:
            raise _err("codec.unknown", "§7.2 codecs", f"unknown codec {codec}", tensor=name, chunk=k, plane=p)
    if W == 1:
        return planes[0]
    return bytegroup_decode(planes, W)


def verify_checksum(e: TensorEntry, data: bytes):
    got = xxhash.xxh3_64_hexdigest(data)
    if got != e.xxh3:
        raise _err("checksum.tensor", "§8 integrity", f"XXH3-64 of the decoded bytes is {got}, header says {e.xxh3}",
                   tensor=e.name)


# --------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------

def _load(path):
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return b""
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def open_ingot(path, verify=True):
    """Validate the whole file, decode every tensor and (by default) verify every checksum.

    Returns (metadata, tensors) where tensors is a list, in file order, of dicts with keys
    name, dtype, shape, group_size (None for non-block dtypes), data (decoded bytes),
    encoding ("raw" | "chunked"), filter, chunk_size, offset, length, xxh3.
    """
    buf = _load(path)
    f = read_layout(buf)
    out = []
    for e in f.entries:
        data = decode_tensor(f, e)
        if len(data) != e.byte_size:  # defensive; decode guarantees it
            raise _err("decode.size", "§7", f"decoded {len(data)} bytes, byte size is {e.byte_size}", tensor=e.name)
        if verify:
            verify_checksum(e, data)
        out.append({"name": e.name, "dtype": e.dtype, "shape": list(e.shape), "group_size": e.group_size,
                    "data": data, "encoding": e.encoding, "filter": e.filter, "chunk_size": e.chunk_size,
                    "offset": e.offset, "length": e.length, "xxh3": e.xxh3})
    return f.metadata, out


SAFETENSORS_DTYPE = {"f32": "F32", "f16": "F16", "bf16": "BF16", "f64": "F64", "i8": "I8", "i16": "I16",
                     "i32": "I32", "i64": "I64", "u8": "U8", "bool": "BOOL"}


def write_safetensors(path, metadata, tensors):
    """Write decoded tensors as a safetensors file (by hand).  Metadata string values are
    kept; other JSON values are stored as their compact JSON text (safetensors metadata is
    str -> str)."""
    header = {}
    if metadata:
        header["__metadata__"] = {k: (v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))
                                  for k, v in metadata.items()}
    pos = 0
    for t in tensors:
        st = SAFETENSORS_DTYPE.get(t["dtype"])
        if st is None:
            raise ValueError(f"tensor {t['name']!r}: dtype {t['dtype']} has no safetensors equivalent")
        header[t["name"]] = {"dtype": st, "shape": t["shape"], "data_offsets": [pos, pos + len(t["data"])]}
        pos += len(t["data"])
    hb = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hb += b" " * (-len(hb) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(hb)))
        fh.write(hb)
        for t in tensors:
            fh.write(t["data"])


def main(argv=None):
    ap = argparse.ArgumentParser(description="Validate an Ingot file, verify every checksum, list its tensors.")
    ap.add_argument("file")
    ap.add_argument("--dump-safetensors", metavar="OUT", help="write the decoded tensors to a safetensors file")
    args = ap.parse_args(argv)
    try:
        buf = _load(args.file)
        f = read_layout(buf)
        tensors = []
        print(f"{args.file}: Ingot {f.major}.{f.minor}, header {f.header_len} B, data_offset {f.data_offset}, "
              f"alignment {f.alignment}, {len(f.entries)} tensors, {len(f.metadata)} metadata keys")
        for e in f.entries:
            data = decode_tensor(f, e)
            verify_checksum(e, data)
            enc = "raw" if e.encoding == "raw" else f"chunked({e.filter}, {e.chunk_size})"
            gs = f" G={e.group_size}" if e.group_size else ""
            print(f"  {e.name}  {e.dtype}{gs} {e.shape}  {enc}  stored {e.length} B -> {e.byte_size} B  "
                  f"xxh3 {e.xxh3} OK")
            tensors.append({"name": e.name, "dtype": e.dtype, "shape": e.shape, "group_size": e.group_size,
                            "data": data})
    except IngotFormatError as ex:
        print(f"INVALID: {ex}", file=sys.stderr)
        return 1
    except OSError as ex:
        print(f"error: {ex}", file=sys.stderr)
        return 1
    print(f"OK: all {len(tensors)} checksums verified")
    if args.dump_safetensors:
        try:
            write_safetensors(args.dump_safetensors, f.metadata, tensors)
        except ValueError as ex:
            print(f"error: {ex}", file=sys.stderr)
            return 1
        print(f"wrote {args.dump_safetensors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
