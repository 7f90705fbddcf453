#!/usr/bin/env python3
"""Independent reader and validator for the Ingot container, version 1.0.

Written from specs/format.md, specs/format-example.md and specs/entropy.md ONLY (no
knowledge of the Swift or C implementation).  Pure Python 3.11 + the `xxhash` (XXH3-64)
and `zstandard` packages.  numpy is optional: when it is importable, long entropy
(codec 2) planes with 64 lanes are decoded one round of lanes at a time with numpy
(same arithmetic, same checks, same errors; about 2x faster); otherwise, or with
INGOT_READER_PURE=1, every plane is decoded by the plain-Python loop of entropy.md §3.4.

Library use:
    metadata, tensors = open_ingot(path)
    # tensors: list of {"name", "dtype", "shape", "group_size", "data", ...}

Command line:
    python3 scripts/ingot_reader.py FILE [--dump-safetensors OUT]

Every violated MUST rule raises IngotFormatError, whose `rule` attribute is a stable
identifier (e.g. "layout.4.no_hole") and whose message names the spec section, the
tensor and, for chunked data, the chunk and plane.  Rules are checked in the order of
format.md §2.  An invalid entropy stream (codec 2) raises IngotFormatError with rule
"codec.entropy.<kind>", kind being one of entropy.md §4's error classes: method, table,
state, truncated, trailing, check.  entropy_decode(stream, n) is usable on its own and
raises EntropyError (with .kind and .code, the §4 code).

Where the specs leave an order open, this reader: checks an entry's unknown keys first
and every other key (its presence included) at its own step; computes the element count
before the group size and the byte size after it; reads a whole two-byte table entry
(long form or zero run) before checking its rules; checks the frequency sum after the
last entry; checks that all K states are present before checking their values; reports
trailing bytes before a bad final state; and checks a plane's payload length (against
the plane size, then against the rest of the chunk) before its codec value.
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

try:  # optional, only to decode long entropy planes faster
    import numpy as _np
except ImportError:  # pragma: no cover
    _np = None

__all__ = ["IngotFormatError", "EntropyError", "open_ingot", "read_layout", "decode_tensor",
           "entropy_decode", "write_safetensors", "DTYPES", "READER_MINOR"]

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
MAX_CHUNKS = 1 << 24        # n = ceil(byte_size / chunk_size) must be <= 2^24
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
CODEC_NAMES = {CODEC_STORED: "stored", CODEC_ZSTD: "zstd", CODEC_ENTROPY: "entropy"}
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
# schema (§3, §6, §7.2 keys), in the per-entry check order of §2
# --------------------------------------------------------------------------------------

def _size_overflow(what, tname):
    return _err("tensor.size_overflow", "§3 tensor table", f"{what} overflows a signed 64-bit integer",
                tensor=tname)


def _checked_mul(a, b, what, tname):
    r = a * b
    if r > I64_MAX or r < I64_MIN:
        raise _size_overflow(what, tname)
    return r


class TensorEntry:
    __slots__ = ("index", "name", "dtype", "group_size", "shape", "offset", "length", "encoding",
                 "xxh3", "element_count", "byte_size", "unit_bytes", "elements_per_unit",
                 "chunk_size", "filter", "chunk_count")

    def as_dict(self):
        return {k: getattr(self, k) for k in self.__slots__}


def _check_keys(obj, allowed, required, minor, rule_prefix, section, tname=None):
    """Unknown keys (§8), then (if `required` is given) missing keys."""
    for k in obj:
        if k not in allowed and minor <= READER_MINOR:
            raise _err(f"{rule_prefix}.unknown_key", section + " / §8",
                       f"unknown key {k!r} (file minor version {minor} <= reader's {READER_MINOR})",
                       tensor=tname)
    for k in required:
        _require(obj, k, rule_prefix, section, tname)


def _require(obj, k, rule_prefix, section, tname=None):
    if k not in obj:
        raise _err(f"{rule_prefix}.missing_key", section, f"missing required key {k!r}", tensor=tname)
    return obj[k]


def _newer_note(minor, what):
    """§8: an unknown dtype or codec is always an error; in a newer-minor file, say why."""
    if minor > READER_MINOR:
        return (f" (the file is version 1.{minor}, newer than this reader's 1.{READER_MINOR}: the {what} may be "
                f"valid there, but this reader cannot read it)")
    return ""


def validate_schema(doc, minor):
    """§2 order: top-level schema (unknown keys, alignment, metadata, tensor count), then each
    tensor entry completely before the next one."""
    S = "§3 header"
    if not isinstance(doc, dict):
        raise _err("schema.top_level", S, "top-level JSON value is not an object")
    # §2: unknown keys, alignment, metadata, tensor count; a missing key is reported at its step
    _check_keys(doc, TOP_KEYS, (), minor, "schema", S)

    alignment = _require(doc, "alignment", "schema", S)
    if not _is_int(alignment):
        raise _err("schema.alignment", S, f"alignment must be a JSON integer, got {alignment!r}")
    if not (8 <= alignment <= 4096) or alignment & (alignment - 1):
        raise _err("schema.alignment", S, f"alignment {alignment} is not a power of two in [8, 4096]")

    metadata = _require(doc, "metadata", "schema", S)
    if not isinstance(metadata, dict):
        raise _err("schema.metadata", "§4 metadata", "metadata must be a JSON object")

    tensors = _require(doc, "tensors", "schema", S)
    if not isinstance(tensors, list):
        raise _err("schema.tensors", S, "tensors must be a JSON array")
    if len(tensors) > MAX_TENSORS:
        raise _err("schema.tensor_count", S, f"{len(tensors)} tensors > {MAX_TENSORS}")

    entries = []
    seen = set()   # Python str equality = equality of the exact code-point sequences (§3)
    for idx, t in enumerate(tensors):
        e = _validate_entry(idx, t, minor)
        if e.name in seen:   # last check of an entry (§2)
            raise _err("tensor.name_unique", "§3 tensor table", "name is not unique in the file", tensor=e.name)
        seen.add(e.name)
        entries.append(e)
    return alignment, metadata, entries


def _name_control(ch):
    o = ord(ch)
    return o <= 0x1F or 0x7F <= o <= 0x9F


def _validate_entry(idx, t, minor):
    S = "§3 tensor table"
    D = "§6 dtypes"
    if not isinstance(t, dict):
        raise _err("tensor.not_object", S, f"tensors[{idx}] is not an object")
    tname = t.get("name") if isinstance(t.get("name"), str) else f"#{idx}"
    # unknown keys first; every other rule (a missing key included) at its field's step, in the
    # order of §2: name, dtype, shape and sizes, group size, offset, length, xxh3, encoding
    _check_keys(t, TENSOR_KEYS, (), minor, "tensor", S, tname)

    def field(k):
        return _require(t, k, "tensor", S, tname)

    e = TensorEntry()
    e.index = idx

    # name (uniqueness is checked last, by validate_schema)
    name = field("name")
    if not isinstance(name, str):
        raise _err("tensor.name", S, f"name must be a string, got {name!r}", tensor=tname)
    nb = len(name.encode("utf-8"))
    if not 1 <= nb <= MAX_NAME_BYTES:
        raise _err("tensor.name", S, f"name is {nb} UTF-8 bytes, must be 1..{MAX_NAME_BYTES}", tensor=tname)
    for ch in name:
        if _name_control(ch):
            raise _err("tensor.name", S, f"name contains control character U+{ord(ch):04X} "
                                         f"(U+0000-U+001F and U+007F-U+009F are not allowed)", tensor=tname)
    e.name = name

    # dtype
    dtype = field("dtype")
    if not isinstance(dtype, str):
        raise _err("tensor.dtype", D, f"dtype must be a string, got {dtype!r}", tensor=name)
    if dtype not in DTYPES:
        raise _err("tensor.dtype", D, f"unknown dtype {dtype!r}" + _newer_note(minor, "dtype"), tensor=name)
    e.dtype = dtype
    block = dtype in _BLOCK

    # shape and sizes
    shape = field("shape")
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
    if 0 in shape:
        count = 0            # §3: 0 if any dimension is 0, whatever the others are
    else:
        count = 1
        for d in shape:      # left to right, each partial product checked
            count = _checked_mul(count, d, "element count", name)
    e.element_count = count

    def byte_size_of(units, unit_bytes):
        bs = _checked_mul(units, unit_bytes, "byte size", name)
        if bs >= BYTE_SIZE_LIMIT:
            raise _err("tensor.size_overflow", S, f"byte size {bs} is not below 2^62", tensor=name)
        return bs

    # group size, then the byte size (which needs it for block dtypes)
    if block:
        if "group_size" not in t:
            raise _err("tensor.group_size", D, f"block dtype {dtype} needs group_size", tensor=name)
        g = t["group_size"]
        if not _is_int(g):
            raise _err("tensor.group_size", D, f"group_size {g!r} is not a JSON integer", tensor=name)
        if g % 2 or not (2 <= g <= MAX_GROUP_SIZE):
            raise _err("tensor.group_size", D, f"group_size {g} must be even and in [2, {MAX_GROUP_SIZE}]",
                       tensor=name)
        if not shape:
            raise _err("tensor.group_size", D, "a scalar cannot be block-quantized", tensor=name)
        if shape[-1] % g:
            raise _err("tensor.group_size", D, f"group_size {g} does not divide the last dimension {shape[-1]}",
                       tensor=name)
        e.group_size = g
        e.elements_per_unit = g
        e.unit_bytes = _BLOCK[dtype](g)
        e.byte_size = byte_size_of(count // g, e.unit_bytes)
    else:
        if "group_size" in t:
            raise _err("tensor.group_size", D, f"group_size must be absent for dtype {dtype}", tensor=name)
        e.group_size = None
        e.elements_per_unit = 1
        e.unit_bytes = _SCALAR[dtype]
        e.byte_size = byte_size_of(count, e.unit_bytes)

    # offset, length
    for key in ("offset", "length"):
        v = field(key)
        if not _is_int(v) or v < 0:
            raise _err(f"tensor.{key}", S, f"{key} must be a JSON integer >= 0, got {v!r}", tensor=name)
    e.offset = t["offset"]
    e.length = t["length"]

    # checksum string
    x = field("xxh3")
    if not isinstance(x, str) or not re.fullmatch(r"[0-9a-f]{16}", x):
        raise _err("tensor.xxh3", S, f"xxh3 {x!r} is not exactly 16 lowercase hex digits", tensor=name)
    e.xxh3 = x

    # encoding
    enc = field("encoding")
    ES = "§7.2 chunked"
    if isinstance(enc, str):
        if enc != "raw":
            raise _err("encoding.unknown", "§7 encodings", f"unknown encoding {enc!r}", tensor=name)
        e.encoding = "raw"
        e.chunk_size = None
        e.filter = None
        e.chunk_count = None
    elif isinstance(enc, dict):
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
        e.chunk_count = -(-e.byte_size // cs)
    else:
        raise _err("encoding.unknown", "§7 encodings", "encoding must be \"raw\" or an object", tensor=name)

    # rule 7 of §5
    if e.encoding == "raw" and e.length != e.byte_size:
        raise _err("layout.7.raw_length", "§5 layout", f"raw length {e.length} != byte size {e.byte_size}",
                   tensor=name)

    # the chunk rules of §7.2 that need only the header
    if e.encoding == "chunked":
        n = e.chunk_count
        if n > MAX_CHUNKS:
            raise _err("chunked.chunk_count", ES,
                       f"n = ceil({e.byte_size} / {e.chunk_size}) = {n} chunks > 2^24", tensor=name)
        if e.length < 4 * n:
            raise _err("chunked.table_length", ES, f"length {e.length} < 4·n = {4 * n} (n = {n} chunks)",
                       tensor=name)
        if n == 0 and e.length != 0:
            raise _err("chunked.empty_length", ES, f"empty tensor (n = 0 chunks) has length {e.length}, must be 0",
                       tensor=name)
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
    """Check everything that depends only on the preamble, header and file size (§2–§7.2),
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

    # data_offset: alignment, >= 40 + N, then <= file size
    if data_offset % PAGE:
        raise _err("preamble.data_offset", P, f"data_offset {data_offset} is not a multiple of 4096")
    if data_offset < PREAMBLE_SIZE + hlen:
        raise _err("preamble.data_offset", P, f"data_offset {data_offset} < 40 + N = {PREAMBLE_SIZE + hlen}")
    if data_offset > size:
        raise _err("preamble.data_offset", P, f"data_offset {data_offset} > file size {size}")
    pad = bytes(buf[PREAMBLE_SIZE + hlen:data_offset])
    if pad.count(0) != len(pad):
        first = next(i for i, b in enumerate(pad) if b)
        raise _err("padding.header", P, f"non-zero byte at file offset {PREAMBLE_SIZE + hlen + first} "
                                        f"between the header and data_offset")

    # §5 rules 1-5 tensor by tensor (rule 7 was checked with the header)
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
        if data_offset + end > I64_MAX:
            raise _err("layout.5.beyond_eof", L,
                       f"data_offset + end = {data_offset + end} overflows a signed 64-bit integer", tensor=n)
        if data_offset + end > size:
            raise _err("layout.5.beyond_eof", L,
                       f"stored bytes end at file offset {data_offset + end}, beyond the file size {size}", tensor=n)
        prev_end = end
    expect_size = data_offset + prev_end
    if size != expect_size:
        raise _err("layout.file_size", L, f"file size {size} != data_offset + end of last tensor = {expect_size}")

    # rule 6 (padding between tensors) tensor by tensor
    prev_end = 0
    for e in entries:
        gap = bytes(buf[data_offset + prev_end:data_offset + e.offset])
        if gap.count(0) != len(gap):
            raise _err("layout.6.padding", L, f"non-zero padding byte between data offsets {prev_end} and {e.offset}",
                       tensor=e.name)
        prev_end = e.offset + e.length

    return IngotFile(buf, size, major, minor, hlen, data_offset, alignment, metadata, entries)


# --------------------------------------------------------------------------------------
# entropy codec (codec 2): static order-0 rANS, specs/entropy.md
# --------------------------------------------------------------------------------------

ENT_M = 4096                # model slots, 2^12
ENT_L = 1 << 15             # state lower bound; also the encoder's initial / the required final state
ENT_X_END = 1 << 31         # states are < 2^31
ENT_MAX_LANES = 64
ENT_METHOD_CONST, ENT_METHOD_RANS = 0x01, 0x02
# The plain loop runs at ~0.2 µs per byte on CPython 3.11.  The numpy path decodes one round
# of K lanes per step; it only wins (about 2x) with 64 lanes on long planes, so it is used
# there only.  INGOT_READER_PURE=1 disables it.
_NP_MIN_N = 16384
_NP_MIN_K = 64


class EntropyError(ValueError):
    """An entropy stream breaks a rule of entropy.md.  `kind` and `code` follow the error
    table of entropy.md §4 (method -2, table -3, state -4, truncated -5, trailing -6,
    check -7; -1 ARG is a C calling error that cannot happen here)."""

    CODES = {"arg": -1, "method": -2, "table": -3, "state": -4, "truncated": -5, "trailing": -6, "check": -7}

    def __init__(self, kind: str, detail: str):
        self.kind = kind
        self.code = self.CODES[kind]
        self.detail = detail
        super().__init__(f"{kind.upper()} ({self.code}): {detail}")


def _ent_table(s, pos):
    """Parse the frequency table of entropy.md §3.1 starting at s[pos].
    Returns (f, end) with f a list of 256 frequencies summing to 4096."""
    ln = len(s)
    if pos + 2 > ln:
        raise EntropyError("truncated", "stream ends inside the frequency table (first, last)")
    first, last = s[pos], s[pos + 1]
    pos += 2
    if first >= last:
        raise EntropyError("table", f"first = {first} is not < last = {last}")
    f = [0] * 256
    sym = first
    after_run = False
    while True:
        if pos >= ln:
            raise EntropyError("truncated", f"stream ends inside the frequency table (entry for symbol {sym})")
        b = s[pos]
        if b == 0:
            # the two-byte entry is read whole before its rules are checked (as for the long form)
            if pos + 1 >= ln:
                raise EntropyError("truncated", f"stream ends inside the zero run at symbol {sym}")
            if sym == first:
                raise EntropyError("table", f"zero run at first = {first} (the first entry must be nonzero)")
            if after_run:
                raise EntropyError("table", f"zero run at symbol {sym} directly follows another zero run")
            r = s[pos + 1]
            if sym + r + 1 > last:
                raise EntropyError("table", f"zero run of {r + 1} symbols from {sym} does not end before "
                                            f"last = {last}")
            sym += r + 1
            pos += 2
            after_run = True
            continue
        if b < 0x80:
            v = b
            pos += 1
        else:
            if pos + 1 >= ln:
                raise EntropyError("truncated", f"stream ends inside the long-form frequency of symbol {sym}")
            v = ((b & 0x7F) << 8) | s[pos + 1]
            if not 128 <= v <= 4095:
                raise EntropyError("table", f"long-form frequency {v} of symbol {sym} is outside [128, 4095]")
            pos += 2
        f[sym] = v
        after_run = False
        if sym == last:
            break
        sym += 1
    total = sum(f)
    if total != ENT_M:
        raise EntropyError("table", f"frequencies add up to {total}, not 4096")
    return f, pos


def _ent_header(s):
    """Parse method, K, table and states.  Returns ("const", v) or
    ("rans", K, f, states, words_start)."""
    ln = len(s)
    if ln == 0:
        raise EntropyError("method", "empty stream")
    method = s[0]
    if method == ENT_METHOD_CONST:
        if ln < 2:
            raise EntropyError("truncated", "constant-run stream has no value byte")
        if ln > 2:
            raise EntropyError("trailing", f"constant-run stream is {ln} bytes, must be exactly 2")
        return ("const", s[1])
    if method != ENT_METHOD_RANS:
        raise EntropyError("method", f"unknown method byte 0x{method:02x}")
    if ln < 2:
        raise EntropyError("truncated", "stream ends before the lane count K")
    K = s[1]
    if not 1 <= K <= ENT_MAX_LANES:
        raise EntropyError("method", f"lane count K = {K} is not in [1, 64]")
    f, T = _ent_table(s, 2)
    if T + 4 * K > ln:
        raise EntropyError("truncated", f"stream ends inside the {K} initial states")
    states = list(struct.unpack_from(f"<{K}I", s, T))
    for j, x in enumerate(states):
        if not ENT_L <= x < ENT_X_END:
            raise EntropyError("state", f"initial state x[{j}] = 0x{x:08x} is outside [2^15, 2^31)")
    return ("rans", K, f, states, T + 4 * K)


def _ent_slots(f):
    """Per-slot tables: symbol, frequency and slot - cum[symbol]."""
    sym = bytearray(ENT_M)
    freq = [0] * ENT_M
    bias = [0] * ENT_M
    c = 0
    for s_, fs in enumerate(f):
        for k in range(fs):
            sym[c + k] = s_
            freq[c + k] = fs
            bias[c + k] = k
        c += fs
    return sym, freq, bias


def _ent_decode_py(s, n, K, f, states, p):
    """entropy.md §3.4 literally, one symbol at a time."""
    ln = len(s)
    sym, freq, bias = _ent_slots(f)
    x = list(states)
    out = bytearray(n)
    j = 0
    for i in range(n):
        xj = x[j]
        slot = xj & 4095
        out[i] = sym[slot]
        xj = freq[slot] * (xj >> 12) + bias[slot]
        if xj < ENT_L:
            if p + 2 > ln:
                raise EntropyError("truncated", f"stream ends where symbol {i} (lane {j}) needs a word")
            xj = (xj << 16) | s[p] | (s[p + 1] << 8)
            p += 2
        x[j] = xj
        j += 1
        if j == K:
            j = 0
    return out, x, p


def _ent_decode_np(s, n, K, f, states, p):
    """The §3.4 loop one round of K lanes at a time with numpy: exact integer arithmetic in
    int64 (all values stay below 2^47).  Within a round the lanes that need a word take the
    next words in lane order, which is the order of §3.4, and the truncation check is the
    same (a word is needed and fewer than 2 bytes remain)."""
    np = _np
    sym, freq, bias = _ent_slots(f)
    t_sym = np.frombuffer(bytes(sym), dtype=np.uint8)
    t_freq = np.array(freq, dtype=np.int64)
    t_bias = np.array(bias, dtype=np.int64)
    nwords = (len(s) - p) // 2
    words = np.frombuffer(s, dtype="<u2", count=nwords, offset=p).astype(np.int64)
    rounds, rem = divmod(n, K)
    out = np.empty(n, dtype=np.uint8)
    x = np.array(states, dtype=np.int64)
    w = 0

    def one_round(xv, base, lanes):
        nonlocal w
        slot = xv & 4095
        out[base:base + lanes] = t_sym[slot]
        xv = t_freq[slot] * (xv >> 12) + t_bias[slot]
        need = xv < ENT_L
        c = int(np.count_nonzero(need))
        if c:
            if w + c > nwords:
                # the first lane that cannot get its word, for the message
                i = base + int(np.flatnonzero(need)[nwords - w])
                raise EntropyError("truncated", f"stream ends where symbol {i} (lane {i % K}) needs a word")
            xv[need] = (xv[need] << 16) | words[w:w + c]   # boolean indexing keeps lane order
            w += c
        return xv

    for r in range(rounds):
        x = one_round(x, r * K, K)
    if rem:
        x[:rem] = one_round(x[:rem], rounds * K, rem)
    return out.tobytes(), [int(v) for v in x], p + 2 * w


def entropy_decode(stream, n: int, impl: str = "auto") -> bytes:
    """Decode an entropy.md stream to exactly n bytes, checking every rule of entropy.md.
    Raises EntropyError.  impl: "auto", "py" (the §3.4 loop) or "np" (numpy rounds)."""
    s = bytes(stream)
    if n < 0:
        raise EntropyError("arg", f"negative output size {n}")
    h = _ent_header(s)
    if h[0] == "const":
        return bytes([h[1]]) * n
    _, K, f, states, p0 = h
    use_np = (impl == "np" or (impl == "auto" and _np is not None and n >= _NP_MIN_N and K >= _NP_MIN_K
                               and not os.environ.get("INGOT_READER_PURE")))
    if use_np:
        if _np is None:
            raise RuntimeError("numpy is not available")
        out, x, p = _ent_decode_np(s, n, K, f, states, p0)
    else:
        out, x, p = _ent_decode_py(s, n, K, f, states, p0)
    if p != len(s):
        raise EntropyError("trailing", f"{len(s) - p} bytes left after {n} symbols")
    for j, xj in enumerate(x):
        if xj != ENT_L:
            raise EntropyError("check", f"final state x[{j}] = 0x{xj:08x} is not 2^15")
    return bytes(out)


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
    kw = dict(tensor=tname, chunk=k, plane=p)
    if payload[:4] != ZSTD_MAGIC:
        raise _err("codec.zstd_frame", C, f"payload does not start with the zstd frame magic 28 B5 2F FD "
                                          f"(got {payload[:4].hex(' ')}); skippable frames are not allowed", **kw)
    try:
        params = zstandard.get_frame_parameters(payload)
        csize = zstandard.frame_content_size(payload)
    except zstandard.ZstdError as ex:
        raise _err("codec.zstd_frame", C, f"bad zstd frame header: {ex}", **kw) from None
    if params.dict_id != 0:
        raise _err("codec.zstd_frame", C, f"zstd frame needs dictionary {params.dict_id}; dictionaries are "
                                          f"not allowed", **kw)
    if csize < 0:
        raise _err("codec.zstd_content_size", C, "zstd frame does not record its content size", **kw)
    if csize != plane_size:
        raise _err("codec.zstd_content_size", C, f"zstd frame content size {csize} != plane size {plane_size}", **kw)
    d = zstandard.ZstdDecompressor().decompressobj()
    try:
        out = d.decompress(payload)
    except zstandard.ZstdError as ex:
        raise _err("codec.zstd_decode", C, f"zstd frame fails to decode: {ex}", **kw) from None
    if not d.eof:
        raise _err("codec.zstd_decode", C, "zstd frame is incomplete", **kw)
    if d.unused_data:
        raise _err("codec.zstd_trailing", C, f"{len(d.unused_data)} bytes after the zstd frame", **kw)
    if len(out) != plane_size:
        raise _err("codec.zstd_decode", C, f"zstd frame decodes to {len(out)} bytes, plane size is {plane_size}",
                   **kw)
    return out


def _entropy_plane(payload: bytes, plane_size, tname, k, p):
    try:
        return entropy_decode(payload, plane_size)
    except EntropyError as ex:
        raise _err(f"codec.entropy.{ex.kind}", "§7.2 codecs / entropy.md",
                   f"entropy stream of {len(payload)} bytes for a {plane_size}-byte plane is invalid: {ex}",
                   tensor=tname, chunk=k, plane=p) from None


def decode_tensor(f: IngotFile, e: TensorEntry, stats: dict | None = None) -> bytes:
    """Return the decoded bytes of one tensor (does not check the xxh3).  If `stats` is a
    dict, the codec of every plane is counted in it (keys "stored", "zstd", "entropy")."""
    stored = f.stored(e)
    if e.encoding == "raw":
        return bytes(stored)
    C = "§7.2 chunked"
    name = e.name
    cs = e.chunk_size
    bs = e.byte_size
    n = e.chunk_count
    W = BYTEGROUP_DTYPES[e.dtype] if e.filter == "bytegroup" else 1
    P = W
    # header-time rules, repeated defensively for entries not made by read_layout
    if n > MAX_CHUNKS or e.length < 4 * n or (n == 0 and e.length != 0):
        raise _err("chunked.table_length", C, f"length {e.length} does not fit n = {n} chunks", tensor=name)
    sizes = struct.unpack_from(f"<{n}I", stored, 0) if n else ()
    # the whole chunk table first: each entry against its cap, in order, then the sum
    for k, s in enumerate(sizes):
        dec = min(bs, (k + 1) * cs) - k * cs
        if s > 5 * P + dec:
            raise _err("chunked.chunk_cap", C, f"stored size {s} > 5·P + decoded size = {5 * P + dec}",
                       tensor=name, chunk=k)
    if sum(sizes) != e.length - 4 * n:
        raise _err("chunked.chunk_sum", C,
                   f"chunk sizes add up to {sum(sizes)}, expected length − 4n = {e.length - 4 * n}", tensor=name)
    out = bytearray()
    pos = 4 * n
    for k, s in enumerate(sizes):
        dec = min(bs, (k + 1) * cs) - k * cs
        chunk = bytes(stored[pos:pos + s])
        pos += s
        out += _decode_chunk(chunk, dec, P, W, name, k, f.minor, stats)
    return bytes(out)


def _decode_chunk(chunk: bytes, dec, P, W, name, k, minor=0, stats=None):
    C = "§7.2 chunk"
    if dec % W:  # cannot happen for a valid header (chunk_size is a multiple of W)
        raise _err("chunk.plane_size", C, f"decoded chunk size {dec} is not a multiple of {W}", tensor=name, chunk=k)
    psize = dec // W
    if len(chunk) < 5 * P:
        raise _err("chunk.directory", C, f"chunk of {len(chunk)} bytes cannot hold its {5 * P}-byte plane directory",
                   tensor=name, chunk=k)
    directory = [struct.unpack_from("<BI", chunk, 5 * p) for p in range(P)]
    planes = []
    pos = 5 * P
    # planes in order: length <= plane size, fits in the rest of the chunk, then decode
    for p, (codec, ln) in enumerate(directory):
        kw = dict(tensor=name, chunk=k, plane=p)
        if ln > psize:
            raise _err("chunk.payload_cap", C, f"payload length {ln} > plane size {psize}", **kw)
        if ln > len(chunk) - pos:
            raise _err("chunk.payload_overrun", C,
                       f"payload length {ln} does not fit in the {len(chunk) - pos} bytes left in the chunk", **kw)
        payload = chunk[pos:pos + ln]
        pos += ln
        if codec == CODEC_STORED:
            if ln != psize:
                raise _err("codec.stored_length", "§7.2 codecs", f"stored payload {ln} bytes != plane size {psize}",
                           **kw)
            planes.append(payload)
        elif codec == CODEC_ZSTD:
            planes.append(_zstd_plane(payload, psize, name, k, p))
        elif codec == CODEC_ENTROPY:
            planes.append(_entropy_plane(payload, psize, name, k, p))
        else:
            raise _err("codec.unknown", "§7.2 codecs", f"unknown codec {codec}" + _newer_note(minor, "codec"), **kw)
        if stats is not None:
            cname = CODEC_NAMES[codec]
            stats[cname] = stats.get(cname, 0) + 1
    if pos != len(chunk):
        raise _err("chunk.trailing", C, f"{len(chunk) - pos} bytes of the chunk remain after the last plane",
                   tensor=name, chunk=k)
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


def open_ingot(path, verify=True, stats=None):
    """Validate the whole file, decode every tensor and (by default) verify every checksum.
    If `stats` is a dict, plane codecs are counted in it (see decode_tensor).

    Returns (metadata, tensors) where tensors is a list, in file order, of dicts with keys
    name, dtype, shape, group_size (None for non-block dtypes), data (decoded bytes),
    encoding ("raw" | "chunked"), filter, chunk_size, offset, length, xxh3.
    """
    buf = _load(path)
    f = read_layout(buf)
    out = []
    for e in f.entries:
        data = decode_tensor(f, e, stats)
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
        stats = {}
        print(f"{args.file}: Ingot {f.major}.{f.minor}, header {f.header_len} B, data_offset {f.data_offset}, "
              f"alignment {f.alignment}, {len(f.entries)} tensors, {len(f.metadata)} metadata keys")
        for e in f.entries:
            data = decode_tensor(f, e, stats)
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
    counts = ", ".join(f"{c} {stats.get(c, 0)}" for c in CODEC_NAMES.values())
    print(f"OK: all {len(tensors)} checksums verified; plane codecs: {counts}")
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
