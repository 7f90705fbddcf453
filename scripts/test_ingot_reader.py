#!/usr/bin/env python3
"""Tests for scripts/ingot_reader.py (the independent, spec-only Ingot reader).

    python3 scripts/test_ingot_reader.py SAMPLE_DIR [SAMPLE_DIR ...] [--oracle PATH/TO/ingot] [-v]

1. Sample comparison: every X.ingot in each directory is decoded and compared, tensor by
   tensor (name, dtype, shape, bytes) and metadata, with its safetensors export, loaded
   both with the official `safetensors.numpy.load_file` and with a raw parser.  The
   reader's --dump-safetensors output is also reloaded with the official package.  The
   plane codecs of every file are counted and printed.
2. Entropy codec (entropy.md): the worked examples, round trips through an encoder written
   from entropy.md §6 (streams with every lane count 1..64), one hostile stream per rule
   of §3 / §4, a differential fuzz of the plain and numpy decoders (errors must be
   EntropyError, never IndexError & co., and both decoders must agree), and a check that
   the §6 encoder reproduces every entropy stream found in the sample files byte for byte.
3. Mutations: targeted corruptions of the samples (and files built by a small writer in
   this script) that must be rejected with a specific rule, plus valid edge cases that
   must be accepted.  The legacy cases need a directory with the 1.0 worked example as
   format-example.md shows it (ex.ingot with zstd planes); the entropy cases use an
   ex.ingot written by a writer that entropy-codes planes, and synth-zstd.ingot.
4. With --oracle, every mutated / constructed file is also given to `ingot check` (the
   Swift tool, used as a black box) and disagreements on accept/reject are listed
   (with -v, the oracle's message is printed next to the reader's for every case).

Exit status 0 when every check passes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

import xxhash
import zstandard

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ingot_reader as ir  # noqa: E402

PAIRS = {
    # first sample set (/tmp/spec-samples)
    "llama-raw.ingot": "llama.safetensors",
    "llama-zstd.ingot": "llama.safetensors",
    "llama-bf16.ingot": "llama-bf16.safetensors",
    "llama-f16.ingot": "llama-f16.safetensors",
    "dtypes-zstd.ingot": "dtypes.safetensors",
    "arrays.ingot": "arrays.safetensors",
    "ex.ingot": "ex.safetensors",
    # second sample set (/tmp/spec-samples2), written by the entropy-coding writer
    "llama-f16-c1000.ingot": "llama-f16.safetensors",
    "llama-zstd12.ingot": "llama.safetensors",
    "arrays-zstd.ingot": "arrays.safetensors",
    "synth-zstd.ingot": "synth.safetensors",
    "synth-zstd12.ingot": "synth.safetensors",
    "synth-c4096.ingot": "synth.safetensors",
    "synth-bf16.ingot": "synth-bf16.safetensors",
}
LEGACY = ("ex.ingot", "llama-raw.ingot", "llama-zstd.ingot", "llama-f16.ingot", "llama-bf16.ingot", "arrays.ingot",
          "dtypes-zstd.ingot")
ST_TO_INGOT = {v: k for k, v in ir.SAFETENSORS_DTYPE.items()}

FAILURES: list[str] = []
PASSES = 0
VERBOSE = False


def ok(label):
    global PASSES
    PASSES += 1
    if VERBOSE:
        print(f"  PASS {label}")


def fail(label, why):
    FAILURES.append(f"{label}: {why}")
    print(f"  FAIL {label}: {why}")


# --------------------------------------------------------------------------------------
# 1. sample comparison
# --------------------------------------------------------------------------------------

def parse_safetensors_raw(path):
    b = open(path, "rb").read()
    n = struct.unpack_from("<Q", b, 0)[0]
    hdr = json.loads(b[8:8 + n])
    meta = hdr.pop("__metadata__", None)
    base = 8 + n
    tensors = {}
    for name, info in hdr.items():
        s, e = info["data_offsets"]
        tensors[name] = (info["dtype"], info["shape"], b[base + s:base + e])
    return meta, tensors, list(hdr)


CODEC_TOTALS: dict = {}


def compare_samples(sdir, tmp):
    print(f"== sample comparison: {sdir}")
    from safetensors.numpy import load_file
    try:
        import ml_dtypes  # noqa: F401  (registers numpy "bfloat16", needed by load_file for BF16)
    except ImportError:
        print("  note: ml_dtypes missing; BF16 sources may fail to load with safetensors.numpy")
    names = sorted(f for f in os.listdir(sdir) if f.endswith(".ingot"))
    for iname in names:
        src = PAIRS.get(iname)
        if src is None:
            fail(iname, "no known safetensors source for this sample")
            continue
        ipath, spath = os.path.join(sdir, iname), os.path.join(sdir, src)
        stats = {}
        try:
            meta, tensors = ir.open_ingot(ipath, stats=stats)
        except ir.IngotFormatError as ex:
            fail(iname, f"reader rejected a sample: {ex}")
            continue
        smeta, raw, sorder = parse_safetensors_raw(spath)
        official = load_file(spath)
        label = f"{iname} <-> {src}"
        problems = []
        # metadata: safetensors __metadata__ is str->str; Ingot metadata is typed JSON
        if (smeta or {}) != meta:
            problems.append(f"metadata differs: safetensors {smeta!r} vs ingot {meta!r}")
        if set(raw) != {t["name"] for t in tensors}:
            problems.append(f"tensor name sets differ: only in source {set(raw) - {t['name'] for t in tensors}}, "
                            f"only in ingot {({t['name'] for t in tensors}) - set(raw)}")
        for t in tensors:
            if t["name"] not in raw:
                continue
            sdt, sshape, sbytes = raw[t["name"]]
            if ST_TO_INGOT.get(sdt) != t["dtype"]:
                problems.append(f"{t['name']}: dtype {t['dtype']} vs source {sdt}")
            if list(sshape) != t["shape"]:
                problems.append(f"{t['name']}: shape {t['shape']} vs source {sshape}")
            if sbytes != t["data"]:
                problems.append(f"{t['name']}: bytes differ (raw parse)")
            arr = official[t["name"]]
            if list(arr.shape) != t["shape"]:
                problems.append(f"{t['name']}: shape vs official loader {list(arr.shape)}")
            if arr.tobytes() != t["data"]:
                problems.append(f"{t['name']}: bytes differ from safetensors.numpy.load_file")
        # dump through the CLI and reload with the official package
        out = os.path.join(tmp, iname + ".dump.safetensors")
        r = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                         "ingot_reader.py"), ipath, "--dump-safetensors", out],
                           capture_output=True, text=True)
        if r.returncode != 0:
            problems.append(f"CLI failed: {r.stderr.strip()}")
        else:
            from safetensors import safe_open
            dumped = load_file(out)
            for name, arr in official.items():
                d = dumped.get(name)
                if d is None or d.dtype != arr.dtype or d.shape != arr.shape or d.tobytes() != arr.tobytes():
                    problems.append(f"{name}: --dump-safetensors output differs from the source")
            with safe_open(out, "np") as fh:
                if (fh.metadata() or {}) != (smeta or {}):
                    problems.append("--dump-safetensors metadata differs from the source")
        order_note = "" if [t["name"] for t in tensors] == sorder else " (tensor order differs from source order)"
        codecs = " ".join(f"{c}={stats.get(c, 0)}" for c in ir.CODEC_NAMES.values())
        for c, v in stats.items():
            CODEC_TOTALS[c] = CODEC_TOTALS.get(c, 0) + v
        if problems:
            fail(label, "; ".join(problems))
        else:
            nbytes = sum(len(t["data"]) for t in tensors)
            nchunked = sum(t["encoding"] == "chunked" for t in tensors)
            print(f"  PASS {label}: {len(tensors)} tensors ({nchunked} chunked), {nbytes} bytes, metadata "
                  f"{len(meta)} keys identical{order_note}; plane codecs {codecs}")
            ok(label)


# --------------------------------------------------------------------------------------
# helpers to take files apart and build new ones
# --------------------------------------------------------------------------------------

def split(b):
    magic, major, minor, flags, n, hsum, doff = struct.unpack_from("<8sHHIQQQ", b, 0)
    return dict(major=major, minor=minor, flags=flags, data_offset=doff), b[40:40 + n], b[doff:]


def assemble(header: bytes, data: bytes, major=1, minor=0, flags=0, data_offset=None, checksum=None,
             magic=ir.MAGIC, pad_byte=None):
    if data_offset is None:
        data_offset = ir._align_up(40 + len(header), 4096)
    if checksum is None:
        checksum = xxhash.xxh3_64_intdigest(header)
    pre = struct.pack("<8sHHIQQQ", magic, major, minor, flags, len(header), checksum, data_offset)
    pad = bytearray(data_offset - 40 - len(header))
    if pad_byte is not None:
        pad[pad_byte] = 1
    return pre + header + bytes(pad) + data


def header_doc(b):
    return json.loads(split(b)[1])


def dump_header(doc):
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def edit_header(b, fn, **kw):
    fields, hdr, data = split(b)
    doc = json.loads(hdr)
    fn(doc)
    args = dict(major=fields["major"], minor=fields["minor"], flags=fields["flags"])
    args.update(kw)
    return assemble(dump_header(doc), data, **args)


def edit_header_text(b, old, new, count=1, **kw):
    fields, hdr, data = split(b)
    old_b, new_b = (old.encode() if isinstance(old, str) else old), (new.encode() if isinstance(new, str) else new)
    if old_b not in hdr:
        raise AssertionError(f"test bug: {old_b!r} not in header")
    return assemble(hdr.replace(old_b, new_b, count), data, **kw)


def set_bytes(b, pos, new: bytes):
    return b[:pos] + new + b[pos + len(new):]


def stored_span(b, name):
    """(file position, length) of a tensor's stored bytes."""
    f = ir.read_layout(b)
    for e in f.entries:
        if e.name == name:
            return f.data_offset + e.offset, e.length, e, f
    raise KeyError(name)


def zstd_frame(data, content_size=True, level=3):
    return zstandard.ZstdCompressor(level=level, write_content_size=content_size).compress(data)


def encode_chunked(data, dtype, chunk_size, flt, codec="auto", mangle=None, group_size=None):
    """Chunked encoding per §7.2.  codec: 'auto' (smallest), 'stored', 'zstd' (when it fits).
    mangle(k, p, plane, codec, payload) -> (codec, payload) lets tests break one plane."""
    W = ir.BYTEGROUP_DTYPES[dtype] if flt == "bytegroup" else 1
    n = -(-len(data) // chunk_size)
    table, chunks = [], []
    for k in range(n):
        chunk = data[k * chunk_size:(k + 1) * chunk_size]
        planes = ir.bytegroup_encode(chunk, W) if W > 1 else [chunk]
        dirs, payloads = b"", b""
        for p, plane in enumerate(planes):
            z = zstd_frame(plane)
            if codec == "stored" or (codec == "auto" and len(z) >= len(plane)) or len(z) > len(plane):
                c, pl = 0, plane
            else:
                c, pl = 1, z
            if mangle:
                c, pl = mangle(k, p, plane, c, pl)
            dirs += struct.pack("<BI", c, len(pl))
            payloads += pl
        chunks.append(dirs + payloads)
        table.append(len(dirs + payloads))
    return struct.pack(f"<{n}I", *table) + b"".join(chunks)


def build(tensors, metadata=None, alignment=64, minor=0, extra_top=None, data_offset=None):
    """Tiny Ingot writer.  tensors: dicts with name, dtype, shape, data and optionally
    group_size, chunked=dict(chunk_size, filter, codec, mangle), stored=<override bytes>,
    extra=<extra entry keys>, length=<override>, xxh3=<override>."""
    entries, data = [], bytearray()
    for t in tensors:
        off = ir._align_up(len(data), alignment)
        data += bytes(off - len(data))
        if "chunked" in t:
            c = t["chunked"]
            stored = encode_chunked(t["data"], t["dtype"], c["chunk_size"], c["filter"], c.get("codec", "auto"),
                                    c.get("mangle"))
            enc = {"type": "chunked", "chunk_size": c["chunk_size"], "filter": c["filter"]}
        else:
            stored = t["data"]
            enc = "raw"
        stored = t.get("stored", stored)
        e = {"name": t["name"], "dtype": t["dtype"]}
        if t.get("group_size") is not None:
            e["group_size"] = t["group_size"]
        e.update(shape=t["shape"], offset=off, length=t.get("length", len(stored)), encoding=enc,
                 xxh3=t.get("xxh3", xxhash.xxh3_64_hexdigest(t["data"])))
        e.update(t.get("extra", {}))
        entries.append(e)
        data += stored
    doc = {"alignment": alignment, "metadata": metadata or {}, "tensors": entries}
    if extra_top:
        doc.update(extra_top)
    return assemble(dump_header(doc), bytes(data), minor=minor, data_offset=data_offset)


# --------------------------------------------------------------------------------------
# 2. mutation cases
# --------------------------------------------------------------------------------------

def rand_bytes(n, seed):
    return random.Random(seed).randbytes(n)


def float_bytes(count, fmt, seed):
    rng = random.Random(seed)
    if fmt == "bf16":
        return b"".join(struct.pack("<f", rng.gauss(0, 0.02))[2:] for _ in range(count))
    return b"".join(struct.pack("<" + fmt, rng.gauss(0, 0.02)) for _ in range(count))


def make_cases(sdir):
    """Yield (label, file bytes, expected) with expected None (must be accepted) or a rule
    id / tuple of acceptable rule ids (must be rejected with one of them)."""
    S = {n: open(os.path.join(sdir, n), "rb").read() for n in PAIRS if os.path.exists(os.path.join(sdir, n))}
    ex, raw, zs, f16, bf, arr, dt = (S["ex.ingot"], S["llama-raw.ingot"], S["llama-zstd.ingot"],
                                      S["llama-f16.ingot"], S["llama-bf16.ingot"], S["arrays.ingot"],
                                      S["dtypes-zstd.ingot"])
    fields, exh, exdata = split(ex)
    N = len(exh)
    C = []

    def case(label, b, expected):
        C.append((label, b, expected))

    # ---- samples unchanged
    for n, b in S.items():
        case(f"sample {n} unchanged", b, None)

    # ---- preamble, in the §2 check order
    case("truncate to 39 bytes", ex[:39], "preamble.truncated")
    case("empty file", b"", "preamble.truncated")
    case("bad magic (\\r\\n -> \\n\\n)", set_bytes(ex, 6, b"\n"), "preamble.magic")
    case("major version 2", set_bytes(ex, 8, struct.pack("<H", 2)), "preamble.major_version")
    case("major version 0", set_bytes(ex, 8, struct.pack("<H", 0)), "preamble.major_version")
    case("flags = 1", set_bytes(ex, 12, struct.pack("<I", 1)), "preamble.flags")
    case("header length 100,000,001", set_bytes(ex, 16, struct.pack("<Q", 100_000_001)), "preamble.header_length")
    case("header length beyond EOF", set_bytes(ex, 16, struct.pack("<Q", len(ex))), "preamble.header_truncated")
    case("truncate inside the header", ex[:40 + N - 1], "preamble.header_truncated")
    case("flip a header byte, fix nothing", set_bytes(ex, 40 + 20, bytes([ex[60] ^ 0x01])), "preamble.header_checksum")
    case("flip the stored header checksum", set_bytes(ex, 24, bytes([ex[24] ^ 0x80])), "preamble.header_checksum")
    case("magic wrong AND checksum wrong -> magic first",
         set_bytes(set_bytes(ex, 0, b"\x88"), 40 + 20, b"X"), "preamble.magic")
    case("minor version 1 (newer) plain file", assemble(exh, exdata, minor=1), None)

    # ---- header JSON rules (checksum recomputed)
    case("header invalid UTF-8 (\\xff in a string)", edit_header_text(ex, "demo", b"de\xffo"), "header.utf8")
    case("header overlong UTF-8 (C0 AF)", edit_header_text(ex, "demo", b"de\xc0\xafo"), "header.utf8")
    case("header UTF-8-encoded surrogate (ED A0 80)", edit_header_text(ex, "demo", b"de\xed\xa0\x80o"), "header.utf8")
    case("UTF-8 BOM before the JSON", assemble(b"\xef\xbb\xbf" + exh, exdata), "header.json_syntax")
    case("duplicate top-level key", edit_header_text(ex, '{"alignment":64,', '{"alignment":64,"alignment":64,'),
         "header.duplicate_key")
    case("duplicate metadata key", edit_header_text(ex, '"arch":"demo"', '"arch":"demo","arch":"demo"'),
         "header.duplicate_key")
    case("duplicate key spelled with an escape", edit_header_text(ex, '"arch":"demo"', '"arch":"demo","\\u0061rch":1'),
         "header.duplicate_key")
    case("duplicate key deep in metadata", edit_header_text(ex, '"arch":"demo"', '"arch":[{"a":{"b":1,"b":2}}]'),
         "header.duplicate_key")
    case("duplicate key inside a tensor entry",
         edit_header_text(ex, '"name":"norm.weight",', '"name":"norm.weight","name":"norm.weight",'),
         "header.duplicate_key")
    case("same key in sibling objects is fine",
         edit_header_text(ex, '"arch":"demo"', '"arch":"demo","x":[{"a":1},{"a":2}]'), None)
    case("alignment written as float 64.0", edit_header_text(ex, '"alignment":64', '"alignment":64.0'),
         "schema.alignment")
    case("alignment written as 6.4e1", edit_header_text(ex, '"alignment":64', '"alignment":6.4e1'), "schema.alignment")
    case("offset written as 0e0", edit_header_text(ex, '"offset":0', '"offset":0e0'), "tensor.offset")
    case("shape dim written as 4.0", edit_header_text(ex, '"shape":[4]', '"shape":[4.0]'), "tensor.shape")
    case("metadata integer 2^63-1", edit_header_text(ex, '"demo"', '9223372036854775807'), None)
    case("metadata integer -2^63", edit_header_text(ex, '"demo"', '-9223372036854775808'), None)
    case("metadata integer 2^63", edit_header_text(ex, '"demo"', '9223372036854775808'), "header.integer_range")
    case("metadata integer -2^63-1", edit_header_text(ex, '"demo"', '-9223372036854775809'), "header.integer_range")
    case("metadata integer with 400 digits", edit_header_text(ex, '"demo"', "1" * 400), "header.integer_range")
    case("metadata float 1e400 (not finite)", edit_header_text(ex, '"demo"', "1e400"), "header.float_range")
    case("metadata float -1.5e308", edit_header_text(ex, '"demo"', "-1.5e308"), None)
    case("metadata float 1e-400 (underflows to 0)", edit_header_text(ex, '"demo"', "1e-400"), None)
    case("metadata -0", edit_header_text(ex, '"demo"', "-0"), None)
    case("metadata NaN literal", edit_header_text(ex, '"demo"', "NaN"), "header.json_syntax")
    case("metadata leading zero 01", edit_header_text(ex, '"demo"', "01"), "header.json_syntax")
    case("metadata +1", edit_header_text(ex, '"demo"', "+1"), "header.json_syntax")
    case("metadata 1.", edit_header_text(ex, '"demo"', "1."), "header.json_syntax")
    case("metadata .5", edit_header_text(ex, '"demo"', ".5"), "header.json_syntax")
    case("metadata all JSON types", edit_header_text(
        ex, '"arch":"demo"', '"arch":"demo","n":30,"theta":100000.0,"tied":true,"no":false,"z":null,'
                             '"l":[1,2.5,"x"],"o":{"k":[]},"e":1E-3,"s":"\\u00e9\\ud83d\\ude00\\n\\"\\/"'), None)
    deep_ok = "[" * 62 + "]" * 62          # top object (1) + metadata (2) + 62 arrays = 64
    deep_bad = "[" * 63 + "]" * 63         # = 65
    case("nesting depth exactly 64", edit_header_text(ex, '"demo"', deep_ok), None)
    case("nesting depth 65", edit_header_text(ex, '"demo"', deep_bad), "header.nesting_depth")
    case("lone high surrogate \\ud800", edit_header_text(ex, '"demo"', '"\\ud800"'), "header.unpaired_surrogate")
    case("lone low surrogate \\udc00", edit_header_text(ex, '"demo"', '"\\udc00"'), "header.unpaired_surrogate")
    case("reversed surrogate pair", edit_header_text(ex, '"demo"', '"\\ude00\\ud83d"'), "header.unpaired_surrogate")
    case("high surrogate + non-surrogate escape", edit_header_text(ex, '"demo"', '"\\ud83d\\u0041"'),
         "header.unpaired_surrogate")
    case("paired surrogates", edit_header_text(ex, '"demo"', '"\\ud83d\\ude00"'), None)
    case("raw TAB inside a string", edit_header_text(ex, '"demo"', '"de\tmo"'), "header.control_character")
    case("raw U+001F inside a key", edit_header_text(ex, '"arch"', '"ar\x1fch"'), "header.control_character")
    case("raw DEL (U+007F) inside a metadata string", edit_header_text(ex, '"demo"', '"de\x7fmo"'), None)
    case("escaped \\u0000 in a metadata string", edit_header_text(ex, '"demo"', '"de\\u0000mo"'), None)
    case("trailing garbage after the JSON", assemble(exh + b"x", exdata), "header.trailing_data")
    case("trailing second JSON value", assemble(exh + b"{}", exdata), "header.trailing_data")
    case("trailing whitespace after the JSON", assemble(exh + b" \n\t\r", exdata), None)
    case("leading whitespace before the JSON", assemble(b" \n" + exh, exdata), None)
    case("form feed (not JSON whitespace) after the JSON", assemble(exh + b"\x0c", exdata), "header.trailing_data")
    case("empty header (N = 0)", assemble(b"", b""), "header.json_syntax")
    case("header is an array", assemble(b"[]", b""), "schema.top_level")

    # ---- schema
    case("minimal file with no tensors", assemble(b'{"alignment":64,"metadata":{},"tensors":[]}', b""), None)
    case("no tensors but one extra data byte", assemble(b'{"alignment":64,"metadata":{},"tensors":[]}', b"\0"),
         "layout.file_size")
    case("keys in another order", assemble(b'{"tensors":[],"metadata":{},"alignment":8}', b""), None)
    case("missing alignment", assemble(b'{"metadata":{},"tensors":[]}', b""), "schema.missing_key")
    case("missing metadata", assemble(b'{"alignment":64,"tensors":[]}', b""), "schema.missing_key")
    case("unknown top-level key (minor 0)", edit_header(ex, lambda d: d.update(extra=1)), "schema.unknown_key")
    case("unknown top-level key (minor 1: ignored)", edit_header(ex, lambda d: d.update(extra=1), minor=1), None)
    case("unknown tensor key (minor 0)", edit_header(ex, lambda d: d["tensors"][0].update(extra=1)),
         "tensor.unknown_key")
    case("unknown tensor key (minor 1: ignored)", edit_header(ex, lambda d: d["tensors"][0].update(extra=1), minor=1),
         None)
    case("unknown encoding key (minor 0)", edit_header(ex, lambda d: d["tensors"][1]["encoding"].update(level=3)),
         "encoding.unknown_key")
    case("unknown encoding key (minor 1: ignored)",
         edit_header(ex, lambda d: d["tensors"][1]["encoding"].update(level=3), minor=1), None)
    case("metadata is an array", edit_header(ex, lambda d: d.update(metadata=[])), "schema.metadata")
    case("tensors is an object", edit_header(ex, lambda d: d.update(tensors={})), "schema.tensors")
    for a, exp in ((0, "schema.alignment"), (4, "schema.alignment"), (48, "schema.alignment"),
                   (8192, "schema.alignment"), (-64, "schema.alignment"), (128, "layout.1.alignment"),
                   (32, "layout.4.no_hole"), (8, "layout.4.no_hole"), (True, "schema.alignment"), ("64", "schema.alignment")):
        case(f"alignment {a!r}", edit_header(ex, lambda d, a=a: d.update(alignment=a)), exp)
    # llama-raw: every tensor is a multiple of 4096 bytes?  no: 256-byte norms -> alignment 4096 breaks rule 4
    case("alignment 4096 on llama-raw", edit_header(raw, lambda d: d.update(alignment=4096)), "layout.1.alignment")
    case("missing xxh3", edit_header(ex, lambda d: d["tensors"][0].pop("xxh3")), "tensor.missing_key")
    case("missing encoding", edit_header(ex, lambda d: d["tensors"][0].pop("encoding")), "tensor.missing_key")
    case("tensor entry is a string", edit_header(ex, lambda d: d["tensors"].append("x")), "tensor.not_object")
    case("xxh3 uppercase", edit_header(ex, lambda d: d["tensors"][0].update(xxh3=d["tensors"][0]["xxh3"].upper())),
         "tensor.xxh3")
    case("xxh3 15 digits", edit_header(ex, lambda d: d["tensors"][0].update(xxh3=d["tensors"][0]["xxh3"][1:])),
         "tensor.xxh3")
    case("xxh3 as integer", edit_header(ex, lambda d: d["tensors"][0].update(xxh3=1)), "tensor.xxh3")
    case("empty name", edit_header(ex, lambda d: d["tensors"][0].update(name="")), "tensor.name")
    case("name 4096 bytes", edit_header(ex, lambda d: d["tensors"][0].update(name="é" * 2048)), None)
    case("name 4097 bytes", edit_header(ex, lambda d: d["tensors"][0].update(name="é" * 2048 + "x")), "tensor.name")
    case("name with escaped U+0001", edit_header(ex, lambda d: d["tensors"][0].update(name="a\u0001b")), "tensor.name")
    case("name with U+007F", edit_header(ex, lambda d: d["tensors"][0].update(name="a\u007fb")), "tensor.name")
    case("name with U+0085 (C1 control, not listed)", edit_header(ex, lambda d: d["tensors"][0].update(name="a\u0085b")),
         None)
    case("name with U+2028", edit_header(ex, lambda d: d["tensors"][0].update(name="a\u2028b")), None)
    case("duplicate tensor names", edit_header(ex, lambda d: d["tensors"][1].update(name="norm.weight")),
         "tensor.name_unique")
    case("names U+212B ANGSTROM SIGN vs U+00C5 (canonically equivalent, different code points)",
         edit_header(ex, lambda d: (d["tensors"][0].update(name="\u212b"), d["tensors"][1].update(name="\u00c5"))),
         None)
    case("metadata keys NFC vs NFD (different code points)",
         edit_header_text(ex, '"arch":"demo"', '"\u00e9":1,"e\u0301":2'), None)
    case("names differing only by Unicode normalization (NFC vs NFD)",
         edit_header(ex, lambda d: (d["tensors"][0].update(name="\u00e9"), d["tensors"][1].update(name="e\u0301"))),
         None)
    case("name is a number", edit_header(ex, lambda d: d["tensors"][0].update(name=1)), "tensor.name")
    case("dtype F32 (case)", edit_header(ex, lambda d: d["tensors"][0].update(dtype="F32")), "tensor.dtype")
    case("dtype u16 (not in 1.0)", edit_header(ex, lambda d: d["tensors"][0].update(dtype="u16")), "tensor.dtype")
    case("dtype i32 for the f32 tensor (same size)", edit_header(ex, lambda d: d["tensors"][0].update(dtype="i32")),
         None)
    case("group_size on f32", edit_header(ex, lambda d: d["tensors"][0].update(group_size=2)), "tensor.group_size")
    case("group_size null on f32", edit_header(ex, lambda d: d["tensors"][0].update(group_size=None)),
         "tensor.group_size")
    case("rank 9", edit_header(ex, lambda d: d["tensors"][0].update(shape=[1] * 8 + [4])), "tensor.shape")
    case("rank 8", edit_header(ex, lambda d: d["tensors"][0].update(shape=[1] * 7 + [4])), None)
    case("negative dimension", edit_header(ex, lambda d: d["tensors"][0].update(shape=[-4])), "tensor.shape")
    case("shape is a number", edit_header(ex, lambda d: d["tensors"][0].update(shape=4)), "tensor.shape")
    case("element count overflows i64", edit_header(ex, lambda d: d["tensors"][0].update(shape=[1 << 62, 4])),
         "tensor.size_overflow")
    case("byte size overflows i64", edit_header(ex, lambda d: d["tensors"][0].update(shape=[1 << 62])),
         "tensor.size_overflow")
    case("byte size exactly 2^62 (u8)", edit_header(
        ex, lambda d: d["tensors"][0].update(shape=[1 << 62], dtype="u8")), "tensor.size_overflow")
    case("byte size 2^62 - 1 (u8): valid schema, fails layout", edit_header(
        ex, lambda d: d["tensors"][0].update(shape=[(1 << 62) - 1], dtype="u8")), "layout.7.raw_length")
    case("zero dim before huge dims [0, 2^62, 2^62]", edit_header(
        ex, lambda d: d["tensors"][0].update(shape=[0, 1 << 62, 1 << 62], length=0)), "layout.4.no_hole")
    case("negative offset", edit_header(ex, lambda d: d["tensors"][0].update(offset=-64)), "tensor.offset")
    case("negative length", edit_header(ex, lambda d: d["tensors"][0].update(length=-1)), "tensor.length")
    case("encoding 'zstd' string", edit_header(ex, lambda d: d["tensors"][0].update(encoding="zstd")),
         "encoding.unknown")
    case("encoding 'RAW'", edit_header(ex, lambda d: d["tensors"][0].update(encoding="RAW")), "encoding.unknown")
    case("encoding type 'chunky'", edit_header(ex, lambda d: d["tensors"][1]["encoding"].update(type="chunky")),
         "encoding.type")
    case("encoding missing filter", edit_header(ex, lambda d: d["tensors"][1]["encoding"].pop("filter")),
         "encoding.missing_key")
    case("chunk_size 0", edit_header(ex, lambda d: d["tensors"][1]["encoding"].update(chunk_size=0)),
         "encoding.chunk_size")
    case("chunk_size 64 MiB + 2", edit_header(ex, lambda d: d["tensors"][1]["encoding"].update(chunk_size=(64 << 20) + 2)),
         "encoding.chunk_size")
    case("chunk_size 63 (not a multiple of 2 for bf16)",
         edit_header(ex, lambda d: d["tensors"][1]["encoding"].update(chunk_size=63)), "encoding.chunk_size")
    case("chunk_size 64.0", edit_header(ex, lambda d: d["tensors"][1]["encoding"].update(chunk_size=64.0)),
         "encoding.chunk_size")
    case("filter 'shuffle'", edit_header(ex, lambda d: d["tensors"][1]["encoding"].update(filter="shuffle")),
         "encoding.filter")
    case("filter bytegroup on i64", edit_header(
        arr, lambda d: d["tensors"][3]["encoding"].update(filter="bytegroup")), "encoding.filter")

    # ---- data_offset and header padding
    case("data_offset 4097", set_bytes(ex, 32, struct.pack("<Q", 4097)), "preamble.data_offset")
    case("data_offset 0", set_bytes(ex, 32, struct.pack("<Q", 0)), "preamble.data_offset")
    case("data_offset 8192 > file size", set_bytes(ex, 32, struct.pack("<Q", 8192)), "preamble.data_offset")
    case("data_offset one extra zero page (MAY)", assemble(exh, exdata, data_offset=8192), None)
    case("header padding byte set", assemble(exh, exdata, pad_byte=100), "padding.header")
    case("last header padding byte set", assemble(exh, exdata, pad_byte=4096 - 40 - N - 1), "padding.header")
    case("header exactly fills the first page (no padding)",
         edit_header_text(ex, '"arch":"demo"', '"arch":"' + "d" * (4096 - 40 - N + 4) + '"'), None)

    # ---- layout (§5)
    case("append one byte", ex + b"\0", "layout.file_size")
    case("append a page", ex + bytes(4096), "layout.file_size")
    case("truncate one byte", ex[:-1], "layout.5.beyond_eof")
    case("truncate to data_offset", ex[:4096], "layout.5.beyond_eof")
    case("truncate inside the header padding", ex[:4000], "preamble.data_offset")
    case("padding byte between tensors set", set_bytes(ex, 4096 + 16, b"\x01"), "layout.6.padding")
    case("last padding byte between tensors set", set_bytes(ex, 4096 + 63, b"\x80"), "layout.6.padding")
    case("second tensor at offset 65", edit_header(ex, lambda d: d["tensors"][1].update(offset=65)),
         "layout.1.alignment")
    case("second tensor at offset 0 (overlap)", edit_header(ex, lambda d: d["tensors"][1].update(offset=0)),
         "layout.3.overlap")
    case("second tensor at offset 128 (hole)", edit_header(ex, lambda d: d["tensors"][1].update(offset=128)),
         "layout.4.no_hole")
    case("first tensor at offset 64 (hole)", edit_header(ex, lambda d: d["tensors"][0].update(offset=64)),
         "layout.4.no_hole")
    case("offset + length overflows", edit_header(ex, lambda d: d["tensors"][1].update(length=(1 << 63) - 1)),
         "layout.2.overflow")
    case("length one too big", edit_header(ex, lambda d: d["tensors"][1].update(length=99)), "layout.5.beyond_eof")
    case("raw length 12 instead of 16", edit_header(ex, lambda d: d["tensors"][0].update(length=12)),
         "layout.7.raw_length")
    case("chunked length one too small (then file size)", edit_header(ex, lambda d: d["tensors"][1].update(length=97)),
         "layout.file_size")
    case("tensors swapped in the table (order = offsets)",
         edit_header(ex, lambda d: d["tensors"].reverse()), "layout.4.no_hole")

    # ---- chunked encoding (§7.2) on ex.ingot: embed at data offset 64, chunks 44 + 46
    E = 4096 + 64
    case("chunk table: chunk 0 size 45 (sum wrong)", set_bytes(ex, E, struct.pack("<I", 45)), "chunked.chunk_sum")
    case("chunk table: chunk 0 size 43 (sum one short, a byte unaccounted)", set_bytes(ex, E, struct.pack("<I", 43)),
         "chunked.chunk_sum")
    case("chunk table: 75 + 15 (sum right, chunk 0 over the 5P+64 cap)",
         set_bytes(ex, E, struct.pack("<II", 75, 15)), "chunked.chunk_cap")
    case("chunk table: 74 + 16 (at the cap; then bad directory sums)",
         set_bytes(ex, E, struct.pack("<II", 74, 16)), "chunk.payload_sum")
    case("chunk table: 5 + 85 (chunk 1 over the cap; caps checked before decoding chunk 0)",
         set_bytes(ex, E, struct.pack("<II", 5, 85)), "chunked.chunk_cap")
    case("plane directory: plane 0 length 16", set_bytes(ex, E + 8 + 1, struct.pack("<I", 16)), "chunk.payload_sum")
    case("plane directory: 33 + 1 (plane over its size)",
         set_bytes(set_bytes(ex, E + 8 + 1, struct.pack("<I", 33)), E + 8 + 6, struct.pack("<I", 1)),
         "chunk.payload_cap")
    case("plane directory: codec 0 with zstd bytes (stored length != plane size)", set_bytes(ex, E + 8, b"\x00"),
         "codec.stored_length")
    case("plane directory: codec 2 (entropy)", set_bytes(ex, E + 8, b"\x02"), "codec.entropy_unsupported")
    case("plane directory: codec 3", set_bytes(ex, E + 8, b"\x03"), "codec.unknown")
    case("plane directory: codec 255 in chunk 1 plane 1", set_bytes(ex, E + 8 + 44 + 5, b"\xff"), "codec.unknown")
    Z0 = E + 8 + 10        # chunk 0 plane 0 zstd frame (17 bytes)
    case("zstd plane: frame magic corrupted", set_bytes(ex, Z0, b"\x29"), "codec.zstd_frame")
    case("zstd plane: content size 0x20 -> 0x21", set_bytes(ex, Z0 + 5, b"\x21"), "codec.zstd_content_size")
    case("zstd plane: last byte of the frame corrupted", set_bytes(ex, Z0 + 16, bytes([ex[Z0 + 16] ^ 0xff])),
         ("codec.zstd_decode", "checksum.tensor"))
    case("zstd plane: literal byte corrupted (decodes to other bytes)",
         set_bytes(ex, E + 8 + 27 + 10, b"\x7e"), ("checksum.tensor", "codec.zstd_decode"))
    # a big zstd plane of llama-zstd: corrupt the middle of the first zstd payload
    pos, length, e, f = stored_span(zs, "lm_head.weight")
    n = -(-e.byte_size // e.chunk_size)
    first = pos + 4 * n
    d = [struct.unpack_from("<BI", zs, first + 5 * p) for p in range(4)]
    zp = next(p for p, (c, _) in enumerate(d) if c == 1)
    zpos = first + 20 + sum(ln for _, ln in d[:zp])
    mid = zpos + d[zp][1] // 2
    case("llama-zstd: flip bits in the middle of a zstd plane",
         set_bytes(zs, mid, bytes([zs[mid] ^ 0x5a])), ("codec.zstd_decode", "checksum.tensor"))
    sp = next(p for p, (c, _) in enumerate(d) if c == 0)
    spos = first + 20 + sum(ln for _, ln in d[:sp])
    case("llama-zstd: flip a byte of a stored plane", set_bytes(zs, spos + 3, bytes([zs[spos + 3] ^ 1])),
         "checksum.tensor")

    # ---- checksums
    case("flip a raw data byte", set_bytes(ex, 4096 + 3, b"\x40"), "checksum.tensor")
    case("header xxh3 of another valid value", edit_header(ex, lambda d: d["tensors"][0].update(xxh3="0" * 16)),
         "checksum.tensor")
    case("llama-raw: flip the very last byte", set_bytes(raw, len(raw) - 1, bytes([raw[-1] ^ 1])), "checksum.tensor")
    case("llama-f16: flip a header byte, fix nothing", set_bytes(f16, 200, bytes([f16[200] ^ 0x20])),
         "preamble.header_checksum")
    case("llama-bf16: append a byte", bf + b"\0", "layout.file_size")
    case("dtypes: set padding after empty tensor", set_bytes(dt, 4096 + 280, b"\x01"), "layout.6.padding")

    # ---- files built by this script's writer
    f32 = float_bytes(1000, "f", 1)
    f64 = float_bytes(300, "d", 2)
    h16 = float_bytes(999, "e", 3)
    b16 = float_bytes(777, "bf16", 4)

    def T(name, dtype, shape, data, **kw):
        return dict(name=name, dtype=dtype, shape=shape, data=data, **kw)

    case("built: all float dtypes, bytegroup, auto codec", build([
        T("a", "f32", [10, 100], f32, chunked=dict(chunk_size=1024, filter="bytegroup")),
        T("b", "f64", [300], f64, chunked=dict(chunk_size=800, filter="bytegroup")),
        T("c", "f16", [999], h16, chunked=dict(chunk_size=500, filter="bytegroup")),
        T("d", "bf16", [7, 111], b16, chunked=dict(chunk_size=2, filter="bytegroup")),
    ]), None)
    case("built: all stored planes", build([
        T("a", "f32", [1000], f32, chunked=dict(chunk_size=4096, filter="bytegroup", codec="stored")),
        T("b", "f64", [300], f64, chunked=dict(chunk_size=8, filter="none", codec="stored")),
    ]), None)
    case("built: filter none on floats and ints, zstd", build([
        T("a", "f32", [1000], f32, chunked=dict(chunk_size=400, filter="none", codec="zstd")),
        T("i", "i32", [256], bytes(1024), chunked=dict(chunk_size=1 << 20, filter="none", codec="zstd")),
        T("u", "u8", [3, 5], bytes(range(15)), chunked=dict(chunk_size=1, filter="none")),
        T("bo", "bool", [4], b"\x00\x01\x01\x00", chunked=dict(chunk_size=3, filter="none")),
    ], alignment=8), None)
    case("built: empty chunked tensor (n = 0, length 0)", build([
        T("e", "f32", [0, 4], b"", chunked=dict(chunk_size=64, filter="bytegroup")),
        T("s", "f32", [], struct.pack("<f", 1.5)),
    ]), None)
    case("built: empty chunked tensor with length 4", build([
        T("e", "f32", [0], b"", chunked=dict(chunk_size=64, filter="bytegroup"), stored=bytes(4)),
    ]), "chunked.chunk_sum")
    case("built: empty raw tensor last in the file", build([
        T("a", "u8", [3], b"abc"), T("e", "i16", [2, 0], b""),
    ]), None)
    case("built: scalar of every scalar dtype", build([
        T(dt, dt, [], bytes(range(1, ir._SCALAR[dt] + 1)) if dt != "bool" else b"\x01")
        for dt in ir._SCALAR]), None)
    q8 = rand_bytes(4 * (2 + 32), 5)
    q40 = rand_bytes(2 * 3 * (2 + 16), 6)
    q41 = rand_bytes(4 * (4 + 4), 7)
    case("built: block dtypes raw", build([
        T("q8", "q8_0", [2, 64], q8, group_size=32),
        T("q40", "q4_0", [2, 96], q40, group_size=32),
        T("q41", "q4_1", [4, 8], q41, group_size=8),
    ]), None)
    case("built: block dtypes chunked (chunk = 2 units)", build([
        T("q8", "q8_0", [2, 64], q8, group_size=32, chunked=dict(chunk_size=68, filter="none")),
        T("q41", "q4_1", [4, 8], q41, group_size=8, chunked=dict(chunk_size=16, filter="none", codec="stored")),
    ]), None)
    case("built: q8_0 chunk_size not a multiple of 2+G", build([
        T("q8", "q8_0", [2, 64], q8, group_size=32, chunked=dict(chunk_size=64, filter="none")),
    ]), "encoding.chunk_size")
    case("built: q8_0 without group_size", build([T("q8", "q8_0", [2, 64], q8)]), "tensor.group_size")
    case("built: q8_0 group_size 3 (odd)", build([T("q8", "q8_0", [2, 63], q8, group_size=3)]), "tensor.group_size")
    case("built: q8_0 group_size 0", build([T("q8", "q8_0", [2, 64], q8, group_size=0)]), "tensor.group_size")
    case("built: q4_0 group_size 2^20 + 2", build([T("q", "q4_0", [2, 64], q40, group_size=(1 << 20) + 2)]),
         "tensor.group_size")
    case("built: q8_0 group_size not dividing the last dim", build([T("q8", "q8_0", [4, 32], q8, group_size=64)]),
         "tensor.group_size")
    case("built: q8_0 scalar", build([T("q8", "q8_0", [], q8[:34], group_size=32)]), "tensor.group_size")
    case("built: q8_0 shape [2, 0] (G divides 0)", build([T("q8", "q8_0", [2, 0], b"", group_size=32)]), None)
    case("built: bytegroup on q8_0", build([
        T("q8", "q8_0", [2, 64], q8, group_size=32, chunked=dict(chunk_size=68, filter="none"),
          extra={"encoding": {"type": "chunked", "chunk_size": 68, "filter": "bytegroup"}})]), "encoding.filter")

    def trailing(k, p, plane, c, pl):
        return (1, zstd_frame(plane) + b"\0") if (k, p) == (0, 0) else (c, pl)

    def two_frames(k, p, plane, c, pl):
        h = len(plane) // 2
        return (1, zstd_frame(plane[:h]) + zstd_frame(plane[h:])) if (k, p) == (0, 0) else (c, pl)

    def no_size(k, p, plane, c, pl):
        return (1, zstd_frame(plane, content_size=False)) if (k, p) == (0, 0) else (c, pl)

    def wrong_size(k, p, plane, c, pl):
        return (1, zstd_frame(plane[:-1])) if (k, p) == (0, 0) else (c, pl)

    def skippable(k, p, plane, c, pl):
        return (1, struct.pack("<II", 0x184D2A50, 0) + zstd_frame(plane)) if (k, p) == (0, 0) else (c, pl)

    def stored_oversize(k, p, plane, c, pl):
        return (0, plane + b"\0") if (k, p) == (0, 0) else (c, pl)

    zeros = bytes(4096)
    zt = lambda m: build([T("z", "f32", [1024], zeros, chunked=dict(chunk_size=4096, filter="none", codec="zstd",
                                                                       mangle=m))])
    case("built: zstd frame followed by a byte", zt(trailing), "codec.zstd_trailing")
    case("built: two zstd frames in one plane", zt(two_frames), ("codec.zstd_content_size", "codec.zstd_trailing"))
    case("built: zstd frame without content size", zt(no_size), "codec.zstd_content_size")
    case("built: zstd frame content size = plane - 1", zt(wrong_size), "codec.zstd_content_size")
    case("built: skippable frame before the zstd frame", zt(skippable), "codec.zstd_frame")
    case("built: stored plane one byte too long (P = 1: chunk cap fires first)", zt(stored_oversize),
         "chunked.chunk_cap")
    case("built: zstd frame with a checksum", build([T("z", "f32", [1024], zeros, chunked=dict(
        chunk_size=4096, filter="none", mangle=lambda k, p, plane, c, pl: (
            1, zstandard.ZstdCompressor(write_checksum=True).compress(plane))))]), None)
    case("built: zstd payload larger than its 16-byte plane (P = 1: chunk cap fires first)", build([
        T("r", "u8", [16], rand_bytes(16, 9), chunked=dict(chunk_size=16, filter="none", mangle=lambda k, p, plane, c, pl: (
            1, zstd_frame(plane))))]), "chunked.chunk_cap")
    case("built: chunked tensor whose length < 4n", build([
        T("z", "f32", [1024], zeros, chunked=dict(chunk_size=4, filter="none"), stored=bytes(4))]),
        "chunked.table_length")
    case("built: 1000 chunks of 4 bytes (f32 bytegroup, stored + zstd)", build([
        T("a", "f32", [1000], f32, chunked=dict(chunk_size=4, filter="bytegroup"))]), None)
    case("built: chunk smaller than its 5P-byte plane directory", build([
        T("a", "f32", [1], f32[:4], chunked=dict(chunk_size=4, filter="bytegroup"),
          stored=struct.pack("<I", 3) + b"\x00\x00\x00")]), "chunk.directory")
    case("built: chunked u8 [2^61 + 1], chunk_size 1, length 4 (4n overflows i64)", build([
        T("z", "u8", [(1 << 61) + 1], b"", chunked=dict(chunk_size=1, filter="none"), stored=struct.pack("<I", 0),
          xxh3="0" * 16)]), "chunked.table_length")
    case("built: chunked u8 [2^62 - 1], chunk_size 1, length 4 (4n = 2^64 - 4)", build([
        T("z", "u8", [(1 << 62) - 1], b"", chunked=dict(chunk_size=1, filter="none"), stored=struct.pack("<I", 0),
          xxh3="0" * 16)]), "chunked.table_length")
    case("built: alignment 4096", build([T("a", "u8", [1], b"x"), T("b", "u8", [1], b"y")], alignment=4096), None)
    case("built: alignment 8 with odd sizes", build([T("a", "u8", [1], b"x"), T("b", "u8", [9], b"y" * 9),
                                                     T("c", "f64", [1], f64[:8])], alignment=8), None)
    case("built: metadata with typed values and unicode keys", build([], metadata={
        "n_layers": 30, "rope_theta": 100000.0, "tied": True, "none": None, "list": [1, [2, {"x": "y"}]],
        "ключ": "значение", "": "empty key"}), None)
    return C


def run_cases(cases, tmp, oracle):
    print("== mutation / edge cases")
    disagreements = []
    for i, (label, b, expected) in enumerate(cases):
        path = os.path.join(tmp, f"case{i:03d}.ingot")
        with open(path, "wb") as fh:
            fh.write(b)
        try:
            ir.open_ingot(path)
            got, msg = None, "accepted"
        except ir.IngotFormatError as ex:
            got, msg = ex.rule, str(ex)
        want = expected if isinstance(expected, (tuple, type(None))) else (expected,)
        if (want is None and got is None) or (want is not None and got in want):
            ok(f"{label} -> {msg}")
        else:
            fail(label, f"expected {'accept' if want is None else ' or '.join(want)}, got {msg}")
        if oracle:
            r = subprocess.run([oracle, "check", path], capture_output=True, text=True)
            o_ok = r.returncode == 0
            if r.returncode not in (0, 1):
                out = (r.stdout + r.stderr).strip().replace("\n", " | ")
                disagreements.append((label, msg, f"CRASH rc={r.returncode} {out[:300]}"))
            elif o_ok != (got is None):
                out = (r.stdout + r.stderr).strip().replace("\n", " | ")
                disagreements.append((label, msg, f"rc={r.returncode} {out[:300]}"))
    if oracle:
        print(f"== oracle ({oracle} check): {len(disagreements)} accept/reject disagreements")
        for label, mine, theirs in disagreements:
            print(f"  DISAGREE {label}\n      reader: {mine}\n      oracle: {theirs}")
    return disagreements


def test_bytegroup_roundtrip():
    print("== bytegroup filter")
    rng = random.Random(42)
    for W in (2, 4, 8):
        data = rng.randbytes(W * 257)
        planes = ir.bytegroup_encode(data, W)
        # reference: per-value rotate with plain integers
        ref = [bytearray() for _ in range(W)]
        for j in range(257):
            v = int.from_bytes(data[j * W:(j + 1) * W], "little")
            r = ((v << 1) | (v >> (8 * W - 1))) & ((1 << (8 * W)) - 1)
            for p, byte in enumerate(r.to_bytes(W, "little")):
                ref[p].append(byte)
        if [bytes(x) for x in ref] != planes:
            fail(f"bytegroup encode W={W}", "differs from the per-value reference")
        elif ir.bytegroup_decode(planes, W) != data:
            fail(f"bytegroup decode W={W}", "does not invert encode")
        else:
            ok(f"bytegroup W={W}")
    # the worked example: bf16 1.0 -> r = 0x7f00, -0.5 -> 0x7e01
    p = ir.bytegroup_encode(struct.pack("<HH", 0x3F80, 0xBF00), 2)
    if p != [b"\x00\x01", b"\x7f\x7e"]:
        fail("bytegroup worked example", f"planes {p}")
    else:
        ok("bytegroup worked example")


def main():
    global VERBOSE
    ap = argparse.ArgumentParser()
    ap.add_argument("samples", help="directory with the X.ingot / X.safetensors sample pairs")
    ap.add_argument("--oracle", help="path to the Swift `ingot` binary, used as a black box for comparison")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    VERBOSE = args.verbose
    with tempfile.TemporaryDirectory(prefix="ingot-test-") as tmp:
        compare_samples(args.samples, tmp)
        test_bytegroup_roundtrip()
        cases = make_cases(args.samples)
        run_cases(cases, tmp, args.oracle)
    print(f"== {PASSES} passed, {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
