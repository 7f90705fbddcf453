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
    """Chunked encoding per §7.2.  codec: 'auto' (smallest of stored / zstd / entropy),
    'stored', 'zstd' or 'entropy' (each when it fits in the plane size, else stored).
    mangle(k, p, plane, codec, payload) -> (codec, payload) lets tests break one plane."""
    W = ir.BYTEGROUP_DTYPES[dtype] if flt == "bytegroup" else 1
    n = -(-len(data) // chunk_size)
    table, chunks = [], []
    for k in range(n):
        chunk = data[k * chunk_size:(k + 1) * chunk_size]
        planes = ir.bytegroup_encode(chunk, W) if W > 1 else [chunk]
        dirs, payloads = b"", b""
        for p, plane in enumerate(planes):
            cands = [(len(plane), 0, plane)]
            if codec in ("auto", "zstd"):
                z = zstd_frame(plane)
                cands.append((len(z), 1, z))
            if codec in ("auto", "entropy"):
                e = ent_encode_forced(plane)
                cands.append((len(e), 2, e))
            cands = [x for x in cands if x[0] <= len(plane)]
            if codec == "auto":
                _, c, pl = min(cands, key=lambda x: (x[0], x[1]))
            else:
                _, c, pl = cands[-1]
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
# entropy.md §6: the reference encoder, written from the spec (tests only)
# --------------------------------------------------------------------------------------

def ent_lg_q16(v):
    """log2(v) in Q16, integers only (entropy.md §6.6)."""
    e = v.bit_length() - 1
    m = v << (31 - e)
    r = e << 16
    for b in range(15, -1, -1):
        m = (m * m) >> 31
        if m >= 1 << 32:
            m >>= 1
            r |= 1 << b
    return r


def ent_normalise(data):
    """Counts and normalised frequencies (entropy.md §6.2)."""
    n = len(data)
    c = [0] * 256
    for b in data:
        c[b] += 1
    f = [max(1, (c[s] * 4096 + n // 2) // n) if c[s] else 0 for s in range(256)]
    while sum(f) > 4096:
        best = None
        for a in range(256):
            if f[a] > 1 and (best is None or c[a] * (2 * f[best] - 1) < c[best] * (2 * f[a] - 1)):
                best = a
        f[best] -= 1
    while sum(f) < 4096:
        best = None
        for a in range(256):
            if c[a] > 0 and (best is None or c[a] * (2 * f[best] + 1) > c[best] * (2 * f[a] + 1)):
                best = a
        f[best] += 1
    return c, f


def ent_table(f):
    """Table serialisation (entropy.md §6.4): maximal zero runs."""
    nz = [s for s in range(256) if f[s]]
    first, last = nz[0], nz[-1]
    out = bytearray([first, last])
    s = first
    while s <= last:
        if f[s]:
            out += bytes([f[s]]) if f[s] < 128 else bytes([0x80 | (f[s] >> 8), f[s] & 0xFF])
            s += 1
        else:
            r = 0
            while f[s + r + 1] == 0:
                r += 1
            out += bytes([0, r])
            s += r + 1
    return bytes(out)


def ent_default_lanes(n):
    """entropy.md §6.3: largest power of two <= n / 1024, clamped to 1..64."""
    K = 1
    while K * 2 <= n // 1024 and K < 64:
        K *= 2
    return K


def ent_encode_forced(data, K=None, f=None):
    """A stream for any data with n >= 1 (like `entropy_test.c hex`): method 1 for one
    distinct value, else method 2 with K lanes (default §6.3) and frequencies f (default §6.2)."""
    n = len(data)
    if f is None and len(set(data)) == 1:
        return bytes([1, data[0]])
    K = ent_default_lanes(n) if K is None else K
    if f is None:
        _, f = ent_normalise(data)
    cum = [0] * 257
    for s in range(256):
        cum[s + 1] = cum[s] + f[s]
    x = [1 << 15] * K
    words = []
    for i in range(n - 1, -1, -1):
        j = i % K
        s = data[i]
        if x[j] >= f[s] << 19:
            words.append(x[j] & 0xFFFF)
            x[j] >>= 16
        x[j] = (x[j] // f[s]) * 4096 + (x[j] % f[s]) + cum[s]
    words.reverse()
    return bytes([2, K]) + ent_table(f) + struct.pack(f"<{K}I", *x) + struct.pack(f"<{len(words)}H", *words)


def ent_encode(data, min_saving_shift=None):
    """ingot_entropy_encode (min_saving_shift None: stream must be < n) or _ex with
    INGOT_ENTROPY_MIN_SAVING(k) (stream <= n - (n >> k)).  b"" means "store raw"."""
    n = len(data)
    if n == 0 or n >= 1 << 32:
        return b""
    limit = n - 1 if min_saving_shift is None else n - (n >> min_saving_shift)
    if len(set(data)) == 1:
        st = bytes([1, data[0]])
        return st if len(st) <= limit else b""
    K = ent_default_lanes(n)
    c, f = ent_normalise(data)
    est = 2 + len(ent_table(f)) + 4 * K + sum(c[s] * (12 * 65536 - ent_lg_q16(f[s]))
                                             for s in range(256) if c[s]) // (8 * 65536)
    if est > limit:
        return b""
    st = ent_encode_forced(data, K, f)
    return st if len(st) <= limit else b""


# --------------------------------------------------------------------------------------
# entropy decoder tests
# --------------------------------------------------------------------------------------

def _ent_try(stream, n, impl):
    try:
        return ("ok", ir.entropy_decode(stream, n, impl=impl))
    except ir.EntropyError as ex:
        return ("err", ex.kind)


def _ent_expect(label, stream, n, want, data=None):
    """want: None (valid; decodes to `data` if given) or an EntropyError kind.  Both the
    plain and (if numpy is there) the numpy decoder must give the same answer."""
    impls = ("py", "np") if ir._np is not None else ("py",)
    results = []
    for impl in impls:
        try:
            results.append(_ent_try(stream, n, impl))
        except Exception as ex:  # noqa: BLE001 - anything but EntropyError is a reader bug
            fail(f"entropy: {label} [{impl}]", f"raised {type(ex).__name__}: {ex}")
            return
    if len(set(results)) != 1:
        fail(f"entropy: {label}", f"decoders disagree: {results}")
        return
    kind, val = results[0]
    if want is None:
        if kind != "ok":
            fail(f"entropy: {label}", f"expected a valid stream, got {val}")
        elif data is not None and val != data:
            fail(f"entropy: {label}", "decoded bytes differ")
        else:
            ok(f"entropy: {label}")
    elif kind != "err" or val != want:
        fail(f"entropy: {label}", f"expected {want}, got {kind} {val if kind == 'err' else '(decoded)'}")
    else:
        ok(f"entropy: {label} -> {want}")


def _rans(K, table, states, words=b""):
    return bytes([2, K]) + table + struct.pack(f"<{len(states)}I", *states) + words


def test_entropy():
    print("== entropy codec (entropy.md)")
    H = bytes.fromhex
    abra = b"abracadabra"
    # ---- worked examples (§7), decoding and encoding
    ex71, ex72 = H("017a"), H("02 01 61 72 87 46 82 e9 81 74 81 74 00 0c 82 e9 22 44 2a 00 41 7a")
    ex73 = H("02 02 61 72 87 46 82 e9 81 74 81 74 00 0c 82 e9 a9 64 df 21 c6 c9 9f 00")
    ex74 = H("02 01 61 62 8f 9c 64 68 0c 37 00")
    for label, st, data, K in (("§7.1 zzzzz", ex71, b"zzzzz", None), ("§7.2 abracadabra K=1", ex72, abra, 1),
                               ("§7.3 abracadabra K=2", ex73, abra, 2), ("§7.4 40 a + b", ex74, b"a" * 40 + b"b", None)):
        _ent_expect(f"worked example {label}", st, len(data), None, data)
        mine = ent_encode_forced(data, K)
        if mine != st:
            fail(f"entropy: encoder on {label}", f"{mine.hex(' ')} != {st.hex(' ')}")
        else:
            ok(f"entropy: encoder reproduces {label}")
    if ent_encode(abra) != b"" or ent_encode(b"a" * 40 + b"b") != ex74:
        fail("entropy: encoder store-raw decisions of §7.2 / §7.4", "wrong")
    else:
        ok("entropy: encoder store-raw decisions of §7.2 / §7.4")
    ok_abra_table = H("61 72 87 46 82 e9 81 74 81 74 00 0c 82 e9")

    # ---- round trips: sizes, distributions, every lane count
    rng = random.Random(2024)
    datasets = {
        "2 bytes": b"ab", "1 byte": b"x", "binary 1000": bytes(rng.choice((0, 255)) for _ in range(1000)),
        "uniform 5000": rng.randbytes(5000), "gauss 3000": bytes(min(255, max(0, int(rng.gauss(128, 6))))
                                                                 for _ in range(3000)),
        "very skewed 70000": bytes(1 if rng.random() < 0.0005 else 0 for _ in range(70000)),
        "all 256 symbols once + skew": bytes(range(256)) + b"\x07" * 9000,
        "symbols 0 and 255 only": b"\x00\xff" * 300 + b"\x00" * 50,
    }
    for name, data in datasets.items():
        Ks = sorted({1, 2, 3, 7, 16, 31, 63, 64, ent_default_lanes(len(data)), len(data) % 64 + 1})
        for K in Ks:
            if len(set(data)) > 1:
                _ent_expect(f"round trip {name} K={K}", ent_encode_forced(data, K), len(data), None, data)
        _ent_expect(f"round trip {name} default", ent_encode_forced(data), len(data), None, data)
    big = bytes(min(255, max(0, int(rng.gauss(100, 9)))) for _ in range(70000))
    _ent_expect("round trip 70000 gauss K=64 (numpy path in auto)", ent_encode_forced(big, 64), len(big), None, big)
    got = ir.entropy_decode(ent_encode_forced(big, 64), len(big))  # impl="auto"
    (ok if got == big else lambda l: fail(l, "differs"))("entropy: auto impl on 70000 x K=64")

    # ---- hostile streams, one per rule
    x0 = 1 << 15
    E = _ent_expect
    E("empty stream", b"", 0, "method")
    E("empty stream, n = 5", b"", 5, "method")
    for m in (0x00, 0x03, 0x80, 0xFF):
        E(f"method byte 0x{m:02x}", bytes([m, 0]), 1, "method")
    E("constant run, n = 0", H("0155"), 0, None, b"")
    E("constant run, n = 1000", H("0155"), 1000, None, b"\x55" * 1000)
    E("constant run missing its value", H("01"), 3, "truncated")
    E("constant run with a trailing byte", H("015500"), 3, "trailing")
    E("method 2, no K", H("02"), 3, "truncated")
    E("K = 0", H("02 00") + ok_abra_table, 3, "method")
    E("K = 65", H("02 41") + ok_abra_table, 3, "method")
    E("K = 255", H("02 ff"), 3, "method")
    E("K = 64 > n = 3, lanes 3..63 untouched", ent_encode_forced(b"abb", 64), 3, None, b"abb")
    E("table: no first/last", H("02 01"), 3, "truncated")
    E("table: only first", H("02 01 61"), 3, "truncated")
    E("table: first == last", H("02 01 61 61 ff 7f"), 3, "table")
    E("table: first > last", H("02 01 62 61 ff 7f"), 3, "table")
    E("table: first 0, last 255, minimal",
      _rans(1, H("00 ff 8f ff 00 fd 01"), [x0]), 0, None, b"")
    E("table: zero run at first", _rans(1, H("61 62 00 00 8f ff 01"), [x0]), 0, "table")
    E("table: zero run at first, its r byte missing (entry read whole first)", H("02 01 61 63 00"), 5, "truncated")
    E("table: second zero run in a row, its r byte missing", H("02 01 61 66 8f ff 00 00 00"), 5, "truncated")
    E("table: long form 127, then the stream ends (entry complete: table)", H("02 01 61 63 80 7f"), 5, "table")
    E("table: sum already over 4096, then the stream ends (sum checked at the end)",
      H("02 01 61 63 8f ff 8f ff"), 5, "truncated")
    E("table: zero run reaching last (s + r + 1 > last)", _rans(1, H("61 64 8f ff 00 02 01"), [x0]), 0, "table")
    E("table: zero run ending right before last (s + r + 1 == last)", _rans(1, H("61 64 8f ff 00 01 01"), [x0]), 0,
      None, b"")
    E("table: two zero runs in a row", _rans(1, H("61 66 8f ff 00 01 00 00 01"), [x0]), 0, "table")
    E("table: zero runs separated by a frequency", _rans(1, H("61 65 8f fe 00 00 01 00 00 01"), [x0]), 0, None, b"")
    E("table: long form 127 (80 7f)", _rans(1, H("61 62 80 7f 8f 81"), [x0]), 0, "table")
    E("table: long form 0 (80 00)", _rans(1, H("61 62 80 00 8f ff 01"), [x0]), 0, "table")
    E("table: long form 128 (80 80) is the minimum", _rans(1, H("61 62 80 80 8f 80"), [x0]), 0, None, b"")
    E("table: long form 4096 (90 00)", _rans(1, H("61 62 90 00 01"), [x0]), 0, "table")
    E("table: long form 32767 (ff ff)", _rans(1, H("61 62 ff ff 01"), [x0]), 0, "table")
    E("table: short form 0x7f", _rans(1, H("61 62 7f 8f 81"), [x0]), 0, None, b"")
    E("table: zero run before last, then the state bytes (00 80 ..) read as a second run",
      _rans(1, H("61 63 8f ff 00 00"), [x0]), 0, "table")
    E("table: sum 4095", _rans(1, H("61 62 8f fe 01"), [x0]), 0, "table")
    E("table: sum 4097", _rans(1, H("61 62 8f ff 02"), [x0]), 0, "table")
    E("table: sum 4096 but from three symbols with 1s", _rans(1, H("61 63 8f fe 01 01"), [x0]), 0, None, b"")
    for cut in range(2, len(ex72) - 6):   # every truncation inside the table
        E(f"abracadabra cut to {cut} bytes (inside the table)", ex72[:cut], 11, "truncated")
    for cut in range(16, 20):
        E(f"abracadabra cut to {cut} bytes (inside the state)", ex72[:cut], 11, "truncated")
    E("abracadabra cut to 20 bytes (the word is missing)", ex72[:20], 11, "truncated")
    E("abracadabra cut to 21 bytes (half a word)", ex72[:21], 11, "truncated")
    E("abracadabra + 1 byte (odd leftover)", ex72 + b"\0", 11, "trailing")
    E("abracadabra + 1 word", ex72 + b"\0\0", 11, "trailing")
    E("abracadabra decoded with n = 10 (final state 0x1145a)", ex72, 10, "check")
    E("abracadabra K=2 decoded with n = 10", ex73, 10, "check")
    E("abracadabra K=2 decoded with n = 12 (lane 1 needs a word from 2^15)", ex73, 12, "truncated")
    E("§7.4 decoded with n = 42 (needs a word from 2^15)", ex74, 42, "truncated")
    for v in (0x7FFF, 0, 1 << 31, 0xFFFFFFFF):
        E(f"abracadabra state 0x{v:08x}", ex72[:16] + struct.pack("<I", v) + ex72[20:], 11, "state")
    E("n = 0, state 2^31 - 1 (a valid state, not the final one)", _rans(1, ok_abra_table, [(1 << 31) - 1]), 0,
      "check")
    E("K=2: lane 1 state invalid, lane 0 fine", ex73[:20] + struct.pack("<I", 5), 11, "state")
    E("K=2: states truncated in lane 1", ex73[:22], 11, "truncated")
    E("n = 0 with states 2^15: empty output", _rans(3, ok_abra_table, [x0] * 3), 0, None, b"")
    E("n = 0 with a word: trailing", _rans(3, ok_abra_table, [x0] * 3, b"\1\2"), 0, "trailing")
    E("n = 0 with state 2^15 + 1: check", _rans(2, ok_abra_table, [x0, x0 + 1]), 0, "check")
    ab4 = ent_encode_forced(b"ab", 4)
    E("K = 4 > n = 2: valid, idle lanes hold 2^15", ab4, 2, None, b"ab")
    E("K = 4 > n = 2, idle lane 3 holds 2^15 + 1", ab4[:-4] + struct.pack("<I", x0 + 1), 2, "check")
    flipped = bytearray(ex72)
    flipped[20] ^= 0x01
    E("abracadabra word bit 0 flipped (needs one more word)", bytes(flipped), 11, "truncated")
    flipped = bytearray(ex72)
    flipped[21] ^= 0x10
    # §3.5 is an integrity check, not a checksum: this one-bit change still ends in 2^15
    E("abracadabra word bit 12 flipped: still valid, decodes to 'abracacabra'", bytes(flipped), 11, None,
      b"abracacabra")

    # ---- differential fuzz: random corruptions of valid streams, both decoders
    seeds = [ex72, ex73, ex74, ent_encode_forced(datasets["gauss 3000"], 64), ent_encode_forced(datasets["binary 1000"], 5),
             ent_encode_forced(datasets["uniform 5000"], 16)]
    sizes = [11, 11, 41, 3000, 1000, 5000]
    frng = random.Random(99)
    kinds = {}
    bad = 0
    for it in range(1500):
        i = frng.randrange(len(seeds))
        s = bytearray(seeds[i])
        n = sizes[i]
        op = frng.randrange(5)
        if op == 0:
            for _ in range(frng.randint(1, 3)):
                s[frng.randrange(len(s))] = frng.randrange(256)
        elif op == 1:
            del s[frng.randrange(len(s)):]
        elif op == 2:
            s += frng.randbytes(frng.randint(1, 5))
        elif op == 3:
            n = max(0, n + frng.randint(-70, 70))
        else:
            pos = frng.randrange(min(len(s), 40))
            s[pos] ^= 1 << frng.randrange(8)
        rs = []
        for impl in (("py", "np") if ir._np is not None else ("py",)):
            try:
                rs.append(_ent_try(bytes(s), n, impl))
            except Exception as ex:  # noqa: BLE001
                rs.append(("crash", f"{type(ex).__name__}: {ex}"))
        if any(r[0] == "crash" for r in rs) or len(set(rs)) != 1:
            bad += 1
            if bad <= 5:
                fail(f"entropy fuzz #{it}", f"{rs[0][:2]!s:.200} / {rs[-1][:2]!s:.200}")
        k = rs[0][1] if rs[0][0] == "err" else "valid"
        kinds[k] = kinds.get(k, 0) + 1
    if not bad:
        ok("entropy fuzz")
    print(f"  entropy fuzz: 1500 corrupted streams, outcomes {dict(sorted(kinds.items()))}, {bad} problems")


def sample_entropy_streams(path):
    """Yield (tensor, chunk, plane, codec, payload, plane size) for every plane of a file
    whose header is valid (no checks of the chunk data beyond what is needed to split it)."""
    f = ir.read_layout(open(path, "rb").read())
    for e in f.entries:
        if e.encoding != "chunked":
            continue
        st = bytes(f.stored(e))
        n = e.chunk_count
        W = ir.BYTEGROUP_DTYPES[e.dtype] if e.filter == "bytegroup" else 1
        sizes = struct.unpack_from(f"<{n}I", st, 0)
        pos = 4 * n
        for k, s in enumerate(sizes):
            dec = min(e.byte_size, (k + 1) * e.chunk_size) - k * e.chunk_size
            ch = st[pos:pos + s]
            pos += s
            q = 5 * W
            for p in range(W):
                c, ln = struct.unpack_from("<BI", ch, 5 * p)
                yield e, k, p, W, c, ch[q:q + ln], dec // W
                q += ln


def test_reencode_samples(sdirs):
    """entropy.md §6 says it describes the reference encoder exactly: re-encode every
    entropy plane of the samples with the encoder above and compare the bytes."""
    print("== entropy.md §6: re-encoding the entropy planes of the samples")
    total, lanes, methods = 0, {}, {}
    for sdir in sdirs:
        for fn in sorted(os.listdir(sdir)):
            if not fn.endswith(".ingot"):
                continue
            mism = []
            for e, k, p, W, c, payload, psize in sample_entropy_streams(os.path.join(sdir, fn)):
                if c != ir.CODEC_ENTROPY:
                    continue
                total += 1
                plane = ir.entropy_decode(payload, psize)
                methods[payload[0]] = methods.get(payload[0], 0) + 1
                if payload[0] == 2:
                    lanes[payload[1]] = lanes.get(payload[1], 0) + 1
                if ent_encode_forced(plane) != payload:
                    mism.append(f"{e.name} chunk {k} plane {p}")
            if mism:
                fail(f"re-encode {fn}", f"{len(mism)} entropy planes differ from the §6 encoder, e.g. {mism[:3]}")
            else:
                ok(f"re-encode {fn}")
    print(f"  {total} entropy streams; methods {dict(sorted(methods.items()))}; lane counts K "
          f"{dict(sorted(lanes.items()))}")


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
    S = {n: open(os.path.join(sdir, n), "rb").read() for n in LEGACY}
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
    case("name with U+0085 (C1 control)", edit_header(ex, lambda d: d["tensors"][0].update(name="a\u0085b")),
         "tensor.name")
    case("name with U+0080 (C1 control)", edit_header(ex, lambda d: d["tensors"][0].update(name="\u0080")),
         "tensor.name")
    case("name with U+009F (C1 control)", edit_header(ex, lambda d: d["tensors"][0].update(name="x\u009f")),
         "tensor.name")
    case("name with U+00A0 (NBSP, not a control)", edit_header(ex, lambda d: d["tensors"][0].update(name="x\u00a0")),
         None)
    case("metadata string with raw U+0085 (only names exclude C1)", edit_header_text(ex, '"demo"', '"de\u0085mo"'),
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

    # ---- check order of §2
    case("order: raw length 12 and data_offset 4097 (rule 7 is a header check)",
         set_bytes(edit_header(ex, lambda d: d["tensors"][0].update(length=12)), 32, struct.pack("<Q", 4097)),
         "layout.7.raw_length")
    case("order: raw length 12 and header padding set (rule 7 first)",
         edit_header(ex, lambda d: d["tensors"][0].update(length=12), pad_byte=10), "layout.7.raw_length")
    case("order: data_offset 4097 and header padding set", set_bytes(assemble(exh, exdata, pad_byte=10), 32,
                                                                      struct.pack("<Q", 4097)), "preamble.data_offset")
    case("order: duplicate name and a bad dtype in the second entry (uniqueness last)",
         edit_header(ex, lambda d: d["tensors"][1].update(name="norm.weight", dtype="f8")), "tensor.dtype")
    case("order: duplicate name and a bad xxh3 in the second entry",
         edit_header(ex, lambda d: d["tensors"][1].update(name="norm.weight", xxh3="x")), "tensor.xxh3")
    case("order: duplicate name and chunk_size 0 in the second entry",
         edit_header(ex, lambda d: (d["tensors"][1].update(name="norm.weight"),
                                    d["tensors"][1]["encoding"].update(chunk_size=0))), "encoding.chunk_size")
    case("order: bad xxh3 and bad encoding in one entry (checksum string before encoding)",
         edit_header(ex, lambda d: d["tensors"][1].update(xxh3="X" * 16, encoding="zstd")), "tensor.xxh3")
    case("order: bad length and bad xxh3 (length first)",
         edit_header(ex, lambda d: d["tensors"][1].update(length=-1, xxh3="X")), "tensor.length")
    case("order: entry 0 bad encoding, entry 1 bad name (entries in table order)",
         edit_header(ex, lambda d: (d["tensors"][0].update(encoding="zstd"), d["tensors"][1].update(name=""))),
         "encoding.unknown")
    case("order: entry 0 raw length wrong, entry 1 bad dtype (rule 7 within the entry)",
         edit_header(ex, lambda d: (d["tensors"][0].update(length=12), d["tensors"][1].update(dtype="f8"))),
         "layout.7.raw_length")
    case("order: padding between tensors set and a byte appended (file size before rule 6)",
         set_bytes(ex, 4096 + 16, b"\x01") + b"\0", "layout.file_size")
    case("order: padding between tensors set and a truncated last tensor (rule 5 before rule 6)",
         set_bytes(ex, 4096 + 16, b"\x01")[:-1], "layout.5.beyond_eof")
    case("order: f64 [2^61] with a group_size (element count, group size, then byte size)",
         edit_header(ex, lambda d: d["tensors"][0].update(dtype="f64", shape=[1 << 61], group_size=2)),
         "tensor.group_size")
    case("order: f64 [2^61] (byte size overflows)",
         edit_header(ex, lambda d: d["tensors"][0].update(dtype="f64", shape=[1 << 61])), "tensor.size_overflow")
    case("order: missing xxh3 and empty name (presence checked at the field's step)",
         edit_header(ex, lambda d: (d["tensors"][0].pop("xxh3"), d["tensors"][0].update(name=""))), "tensor.name")
    case("order: missing encoding and negative dimension",
         edit_header(ex, lambda d: (d["tensors"][0].pop("encoding"), d["tensors"][0].update(shape=[-1]))),
         "tensor.shape")
    case("order: unknown key and missing dtype in an entry (unknown keys first)",
         edit_header(ex, lambda d: (d["tensors"][0].update(zz=1), d["tensors"][0].pop("dtype"))), "tensor.unknown_key")
    case("order: top level missing metadata and bad alignment",
         edit_header(ex, lambda d: (d.pop("metadata"), d.update(alignment=3))), "schema.alignment")
    case("order: top level missing tensors and metadata not an object",
         edit_header(ex, lambda d: (d.pop("tensors"), d.update(metadata=1))), "schema.metadata")
    case("order: top level unknown key and missing alignment",
         edit_header(ex, lambda d: (d.pop("alignment"), d.update(zz=1))), "schema.unknown_key")
    case("data_offset + end overflows i64 (offset + length = 2^63 - 1 does not)",
         edit_header(ex, lambda d: d["tensors"][1].update(length=(1 << 63) - 1 - 64)), "layout.5.beyond_eof")
    case("data_offset + end = 2^63 exactly",
         edit_header(ex, lambda d: d["tensors"][1].update(length=(1 << 63) - 64 - 4096)), "layout.5.beyond_eof")
    case("data_offset + end = 2^63 - 1 (no overflow, beyond EOF)",
         edit_header(ex, lambda d: d["tensors"][1].update(length=(1 << 63) - 1 - 64 - 4096)), "layout.5.beyond_eof")
    case("order: group_size on f32 with overflowing shape (sizes before group size)",
         edit_header(ex, lambda d: d["tensors"][0].update(shape=[1 << 62, 4], group_size=2)), "tensor.size_overflow")
    case("order: q8_0 group_size 3 with huge shape (group size before the block byte size)",
         edit_header(ex, lambda d: d["tensors"][0].update(dtype="q8_0", shape=[1 << 40, 1 << 20], group_size=3)),
         "tensor.group_size")

    # ---- chunked encoding (§7.2) on ex.ingot: embed at data offset 64, chunks 44 + 46
    E = 4096 + 64
    case("chunk table: chunk 0 size 45 (sum wrong)", set_bytes(ex, E, struct.pack("<I", 45)), "chunked.chunk_sum")
    case("chunk table: chunk 0 size 43 (sum one short, a byte unaccounted)", set_bytes(ex, E, struct.pack("<I", 43)),
         "chunked.chunk_sum")
    case("chunk table: 75 + 15 (sum right, chunk 0 over the 5P+64 cap)",
         set_bytes(ex, E, struct.pack("<II", 75, 15)), "chunked.chunk_cap")
    case("chunk table: 74 + 16 (at the cap; both planes decode, 30 bytes of chunk 0 remain)",
         set_bytes(ex, E, struct.pack("<II", 74, 16)), "chunk.trailing")
    case("chunk table: 5 + 85 (chunk 1 over the cap; caps checked before decoding chunk 0)",
         set_bytes(ex, E, struct.pack("<II", 5, 85)), "chunked.chunk_cap")
    case("plane directory: plane 0 length 16 (plane 0 decoded first: frame cut short)",
         set_bytes(ex, E + 8 + 1, struct.pack("<I", 16)), "codec.zstd_decode")
    case("plane directory: plane 1 length 20 (does not fit in the 17 bytes left)",
         set_bytes(ex, E + 8 + 6, struct.pack("<I", 20)), "chunk.payload_overrun")
    case("plane directory: plane 1 length 20 and codec 9 (length checks before the codec)",
         set_bytes(set_bytes(ex, E + 8 + 6, struct.pack("<I", 20)), E + 8 + 5, b"\x09"), "chunk.payload_overrun")
    case("plane directory: plane 0 codec 9, plane 1 length 20 (planes in order)",
         set_bytes(set_bytes(ex, E + 8 + 6, struct.pack("<I", 20)), E + 8, b"\x09"), "codec.unknown")
    case("plane directory: 33 + 1 (plane over its size)",
         set_bytes(set_bytes(ex, E + 8 + 1, struct.pack("<I", 33)), E + 8 + 6, struct.pack("<I", 1)),
         "chunk.payload_cap")
    case("plane directory: codec 0 with zstd bytes (stored length != plane size)", set_bytes(ex, E + 8, b"\x00"),
         "codec.stored_length")
    case("plane directory: codec 2 on a zstd frame (method byte 0x28)", set_bytes(ex, E + 8, b"\x02"),
         "codec.entropy.method")
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
    ]), "chunked.empty_length")
    case("built: empty chunked tensor with length 4 and a bad data_offset (header rule first)", set_bytes(build([
        T("e", "f32", [0], b"", chunked=dict(chunk_size=64, filter="bytegroup"), stored=bytes(4)),
    ]), 32, struct.pack("<Q", 4097)), "chunked.empty_length")
    case("built: shape [2^62, 2^62, 0] raw, length 0 (count 0, no overflow)", build([
        T("z", "f32", [1 << 62, 1 << 62, 0], b""), T("a", "u8", [2], b"ab")]), None)
    case("built: shape [2^62, 2^62, 0] chunked, n = 0, length 0", build([
        T("z", "f64", [1 << 62, 1 << 62, 0], b"", chunked=dict(chunk_size=8, filter="bytegroup"))]), None)
    case("built: shape [2^62, 2^62, 1] still overflows", build([
        T("z", "f32", [1 << 62, 1 << 62, 1], b"", xxh3="0" * 16)]), "tensor.size_overflow")
    case("built: q4_0 shape [2^62, 2^62, 0] G=32 (count 0)", build([
        T("q", "q4_0", [1 << 62, 1 << 62, 0], b"", group_size=32)]), None)
    case("built: chunked u8 [2^24], chunk_size 1: n = 2^24 passes the header, data missing", build([
        T("z", "u8", [1 << 24], b"", chunked=dict(chunk_size=1, filter="none"), stored=b"", length=4 << 24,
          xxh3="0" * 16)]), "layout.5.beyond_eof")
    case("built: chunked u8 [2^24 + 1], chunk_size 1: n over 2^24", build([
        T("z", "u8", [(1 << 24) + 1], b"", chunked=dict(chunk_size=1, filter="none"), stored=b"",
          length=4 * ((1 << 24) + 1), xxh3="0" * 16)]), "chunked.chunk_count")
    case("built: chunked u8 [2^24 + 1] with length 0: cap before length >= 4n", build([
        T("z", "u8", [(1 << 24) + 1], b"", chunked=dict(chunk_size=1, filter="none"), stored=b"",
          xxh3="0" * 16)]), "chunked.chunk_count")
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
    case("built: chunked u8 [2^61 + 1], chunk_size 1, length 4 (n over 2^24)", build([
        T("z", "u8", [(1 << 61) + 1], b"", chunked=dict(chunk_size=1, filter="none"), stored=struct.pack("<I", 0),
          xxh3="0" * 16)]), "chunked.chunk_count")
    case("built: chunked u8 [2^62 - 1], chunk_size 1, length 4 (n over 2^24)", build([
        T("z", "u8", [(1 << 62) - 1], b"", chunked=dict(chunk_size=1, filter="none"), stored=struct.pack("<I", 0),
          xxh3="0" * 16)]), "chunked.chunk_count")
    case("built: chunked f32 [1000], chunk_size 4, length 3999 (< 4n)", build([
        T("a", "f32", [1000], f32, chunked=dict(chunk_size=4, filter="none"), stored=bytes(3999))]),
        "chunked.table_length")
    case("built: alignment 4096", build([T("a", "u8", [1], b"x"), T("b", "u8", [1], b"y")], alignment=4096), None)
    case("built: alignment 8 with odd sizes", build([T("a", "u8", [1], b"x"), T("b", "u8", [9], b"y" * 9),
                                                     T("c", "f64", [1], f64[:8])], alignment=8), None)
    case("built: metadata with typed values and unicode keys", build([], metadata={
        "n_layers": 30, "rope_theta": 100000.0, "tied": True, "none": None, "list": [1, [2, {"x": "y"}]],
        "ключ": "значение", "": "empty key"}), None)
    return C


def chunk_bytes(planes):
    """A §7.2 chunk from [(codec, payload), ...]."""
    return b"".join(struct.pack("<BI", c, len(pl)) for c, pl in planes) + b"".join(pl for _, pl in planes)


def chunked_stored(chunks):
    return struct.pack(f"<{len(chunks)}I", *map(len, chunks)) + b"".join(chunks)


def replace_last_stored(b, stored):
    """Replace the stored bytes of the file's last tensor (and its header length)."""
    fields, hdr, data = split(b)
    doc = json.loads(hdr)
    last = doc["tensors"][-1]
    last["length"] = len(stored)
    data = data[:last["offset"]] + stored
    return assemble(dump_header(doc), data, major=fields["major"], minor=fields["minor"], flags=fields["flags"])


def make_entropy_cases(ex2, synth):
    """Container cases on entropy-coded files written by the Swift writer: ex2 is the worked
    example regenerated by the current writer (both bf16 planes of both chunks are codec 2),
    synth a larger file with 64-lane streams (may be None)."""
    C = []

    def case(label, b, expected):
        C.append(("entropy: " + label, b, expected))

    E = 4096 + 64
    c0 = E + 8                         # chunk 0 directory
    p0 = c0 + 10                       # chunk 0 plane 0 payload (2 bytes: 01 00)
    p1 = p0 + 2                        # chunk 0 plane 1 payload (14 bytes)
    # the layout this code expects (see the report: format-example.md still shows zstd planes)
    expect = bytes.fromhex("1a000000 24000000 0202000000 020e000000 0100 020100 7f8f80007d8080 805f2900".replace(" ", ""))
    if ex2[E:E + len(expect)] != expect:
        fail("entropy cases", "ex.ingot from the entropy writer does not have the expected layout; skipped")
        return C
    case("ex.ingot (entropy writer) unchanged", ex2, None)
    case("const run value 00 -> 01", set_bytes(ex2, p0 + 1, b"\x01"), "checksum.tensor")
    case("const run method 01 -> 03", set_bytes(ex2, p0, b"\x03"), "codec.entropy.method")
    case("const run method 01 -> 00", set_bytes(ex2, p0, b"\x00"), "codec.entropy.method")
    case("rANS K 1 -> 0", set_bytes(ex2, p1 + 1, b"\x00"), "codec.entropy.method")
    case("rANS K 1 -> 65", set_bytes(ex2, p1 + 1, b"\x41"), "codec.entropy.method")
    case("rANS K 1 -> 2 (states run past the stream)", set_bytes(ex2, p1 + 1, b"\x02"), "codec.entropy.truncated")
    case("rANS first 00 -> 7f (first == last)", set_bytes(ex2, p1 + 2, b"\x7f"), "codec.entropy.table")
    case("rANS f[0] 3968 -> 3967 (sum 4095)", set_bytes(ex2, p1 + 5, b"\x7f"), "codec.entropy.table")
    case("rANS f[127] long form 128 -> 127", set_bytes(ex2, p1 + 9, b"\x7f"), "codec.entropy.table")
    case("rANS zero run 126 -> 127 symbols (reaches last)", set_bytes(ex2, p1 + 7, b"\x7e"), "codec.entropy.table")
    case("rANS state top byte 00 -> 80 (>= 2^31)", set_bytes(ex2, p1 + 13, b"\x80"), "codec.entropy.state")
    case("rANS state 0x00295f80 -> 0x00295f81", set_bytes(ex2, p1 + 10, b"\x81"),
         ("codec.entropy.check", "codec.entropy.truncated"))
    case("plane 0 length 2 -> 3, plane 1 14 -> 13 (plane 0 has a trailing byte)",
         set_bytes(set_bytes(ex2, c0 + 1, struct.pack("<I", 3)), c0 + 6, struct.pack("<I", 13)),
         "codec.entropy.trailing")
    case("plane 1 length 14 -> 12 (decoded before the 2 leftover chunk bytes are seen)",
         set_bytes(ex2, c0 + 6, struct.pack("<I", 12)), "codec.entropy.truncated")
    case("plane 0 codec 2 -> 0 (stored length 2 != 32)", set_bytes(ex2, c0, b"\x00"), "codec.stored_length")
    case("plane 0 codec 2 -> 1 (not a zstd frame)", set_bytes(ex2, c0, b"\x01"), "codec.zstd_frame")
    case("plane 0 codec 2 -> 3", set_bytes(ex2, c0, b"\x03"), "codec.unknown")
    case("plane 1 codec 2 -> 255", set_bytes(ex2, c0 + 5, b"\xff"), "codec.unknown")
    case("minor 1, plane 0 codec 3 (unknown to this reader)", set_bytes(set_bytes(ex2, c0, b"\x03"), 10,
                                                                        struct.pack("<H", 1)), "codec.unknown")

    # rebuilt tensors: chunk 0 planes are 32 zeros and 7f + 31 zeros; chunk 1 31 zeros + 01, 31 zeros + 7e
    emb = bytearray(128)
    emb[0:2] = struct.pack("<H", 0x3F80)
    emb[126:128] = struct.pack("<H", 0xBF00)
    pl = [ir.bytegroup_encode(bytes(emb[0:64]), 2), ir.bytegroup_encode(bytes(emb[64:128]), 2)]

    def emb_file(ch0, ch1):
        return replace_last_stored(ex2, chunked_stored([chunk_bytes(ch0), chunk_bytes(ch1)]))

    rest = [(2, ent_encode_forced(pl[1][0])), (2, ent_encode_forced(pl[1][1]))]
    same = emb_file([(2, ent_encode_forced(pl[0][0])), (2, ent_encode_forced(pl[0][1]))], rest)
    case("rebuilt with the §6 encoder: identical file", same, None)
    if same != ex2:
        fail("entropy: §6 encoder rebuilds ex.ingot byte for byte", "differs")
    else:
        ok("entropy: §6 encoder rebuilds ex.ingot byte for byte")
    st1 = ent_encode_forced(pl[0][1])
    case("plane 1 + one trailing byte", emb_file([(2, b"\x01\x00"), (2, st1 + b"\x00")], rest),
         "codec.entropy.trailing")
    case("plane 1 + one trailing word", emb_file([(2, b"\x01\x00"), (2, st1 + b"\x00\x00")], rest),
         "codec.entropy.trailing")
    case("plane 0 empty entropy payload", emb_file([(2, b""), (2, st1)], rest), "codec.entropy.method")
    case("plane 0 stored instead of a const run", emb_file([(0, pl[0][0]), (2, st1)], rest), None)
    case("plane 1 as a zstd frame", emb_file([(2, b"\x01\x00"), (1, zstd_frame(pl[0][1]))], rest), None)
    case("plane 1 with K = 2 (not the §6.3 choice)", emb_file([(2, b"\x01\x00"), (2, ent_encode_forced(pl[0][1], 2))],
                                                            rest), None)
    case("plane 1 with K = 3", emb_file([(2, b"\x01\x00"), (2, ent_encode_forced(pl[0][1], 3))], rest), None)
    f = [0] * 256
    f[0], f[127] = 4000, 96
    case("plane 1 with a non-§6.2 table (4000 / 96)",
         emb_file([(2, b"\x01\x00"), (2, ent_encode_forced(pl[0][1], 1, f))], rest), None)
    f2 = [0] * 256
    f2[0], f2[1], f2[127] = 3000, 1000, 96
    case("plane 1 with an unused nonzero symbol in the table",
         emb_file([(2, b"\x01\x00"), (2, ent_encode_forced(pl[0][1], 1, f2))], rest), None)
    case("plane 0 as a rANS stream although it is constant",
         emb_file([(2, ent_encode_forced(pl[0][0], 1, f2)), (2, st1)], rest), None)
    case("plane 1 with K = 64: stream longer than the chunk cap",
         emb_file([(2, b"\x01\x00"), (2, ent_encode_forced(pl[0][1], 64))], rest), "chunked.chunk_cap")
    k6 = ent_encode_forced(pl[0][1], 6)
    case(f"plane 1 with K = 6: stream {len(k6)} bytes > plane size 32 (chunk cap not hit)",
         emb_file([(2, b"\x01\x00"), (2, k6)], rest), "chunk.payload_cap")
    case("plane 0 const run of the wrong value", emb_file([(2, b"\x01\x07"), (2, st1)], rest), "checksum.tensor")
    case("planes swapped (each valid, wrong data)", emb_file([(2, st1), (2, b"\x01\x00")], rest), "checksum.tensor")

    # 64-lane streams with words, in a file written by the Swift writer
    if synth is not None:
        f = ir.read_layout(synth)
        found = None
        for e, k, p, W, c, payload, psize in sample_entropy_streams_bytes(synth):
            if c == ir.CODEC_ENTROPY and payload[0] == 2 and payload[1] == 64 and len(payload) > 4096:
                found = (e, k, p, payload)
                break
        if found is None:
            fail("entropy cases", "synth file has no 64-lane stream")
            return C
        e, k, p, payload = found
        pos = synth.find(payload)
        lbl = f"{e.name} chunk {k} plane {p} (K=64, {len(payload)} B)"
        mid = pos + len(payload) // 2
        case(f"{lbl}: a word byte in the middle flipped", set_bytes(synth, mid, bytes([synth[mid] ^ 0x21])),
             ("codec.entropy.check", "codec.entropy.truncated", "codec.entropy.trailing"))
        last = pos + len(payload) - 1
        case(f"{lbl}: last word byte flipped", set_bytes(synth, last, bytes([synth[last] ^ 0x01])),
             ("codec.entropy.check", "codec.entropy.truncated", "codec.entropy.trailing"))
        case(f"{lbl}: K 64 -> 32", set_bytes(synth, pos + 1, b"\x20"),
             ("codec.entropy.check", "codec.entropy.truncated", "codec.entropy.trailing", "codec.entropy.state"))
        case(f"{lbl}: method 2 -> 1", set_bytes(synth, pos, b"\x01"), "codec.entropy.trailing")
    return C


def sample_entropy_streams_bytes(b):
    tmp = tempfile.NamedTemporaryFile(suffix=".ingot", delete=False)
    try:
        tmp.write(b)
        tmp.close()
        yield from sample_entropy_streams(tmp.name)
    finally:
        os.unlink(tmp.name)


def test_version_messages(ex_legacy):
    """§8: an unknown dtype or codec in a newer-minor file is an error that says so."""
    print("== §8 unknown dtype / codec messages")
    E = 4096 + 64
    for label, b in (("dtype f8 in a minor-1 file", edit_header(ex_legacy, lambda d: d["tensors"][0].update(dtype="f8"),
                                                               minor=1)),
                     ("codec 3 in a minor-1 file", set_bytes(set_bytes(ex_legacy, E + 8, b"\x03"), 10,
                                                             struct.pack("<H", 1)))):
        with tempfile.NamedTemporaryFile(suffix=".ingot") as fh:
            fh.write(b)
            fh.flush()
            try:
                ir.open_ingot(fh.name)
                fail(label, "accepted")
            except ir.IngotFormatError as ex:
                if "newer than this reader" in str(ex):
                    ok(f"{label}: {ex}")
                    print(f"  PASS {label}: {ex}")
                else:
                    fail(label, f"message does not mention the newer version: {ex}")


ORACLE_ENTROPY_KINDS = (("unknown method or lane count", "method"), ("bad frequency table", "table"),
                        ("initial state out of range", "state"), ("ends early", "truncated"),
                        ("bytes after the end", "trailing"), ("final state check failed", "check"))


def test_entropy_vs_oracle(oracle, tmp, count=600):
    """Differential test of the entropy decoder against `ingot check`: corrupted streams are
    put in a one-plane u8 tensor and the error kinds (entropy.md §4) compared."""
    print(f"== entropy streams vs the oracle ({count} corrupted streams in u8 tensors)")
    rng = random.Random(7)
    seeds = [ent_encode_forced(bytes(min(255, max(0, int(rng.gauss(128, s)))) for _ in range(n)), K)
             for n, s, K in ((11, 3, 1), (300, 2, 3), (1500, 5, 1), (3000, 9, 2), (2000, 1, 64), (5000, 30, 16))]
    sizes = [11, 300, 1500, 3000, 2000, 5000]
    agree, disagree, tried = {}, [], 0
    for it in range(count):
        i = rng.randrange(len(seeds))
        s = bytearray(seeds[i])
        n = sizes[i]
        op = rng.randrange(6)
        if op == 0:
            for _ in range(rng.randint(1, 3)):
                s[rng.randrange(len(s))] = rng.randrange(256)
        elif op == 1:
            del s[rng.randrange(1, len(s)):]
        elif op == 2:
            s += rng.randbytes(rng.randint(1, 5))
        elif op == 3:
            n = max(len(s), n + rng.randint(-40, 40))
        elif op == 4:
            pos = rng.randrange(min(len(s), 30))
            s[pos] ^= 1 << rng.randrange(8)
        else:
            s[rng.randrange(2, min(len(s), 30))] = rng.choice((0, 0x80, 0x7F, 0xFF, 1))
        s = bytes(s)
        if len(s) > n:
            continue
        tried += 1
        try:
            mine = ("valid", ir.entropy_decode(s, n))
        except ir.EntropyError as ex:
            mine = (ex.kind, None)
        data = mine[1] if mine[1] is not None else bytes(n)
        b = build([dict(name="p", dtype="u8", shape=[n], data=data,
                        chunked=dict(chunk_size=n, filter="none", mangle=lambda k, p, plane, c, pl, s=s: (2, s)))])
        path = os.path.join(tmp, "entfuzz.ingot")
        with open(path, "wb") as fh:
            fh.write(b)
        r = subprocess.run([oracle, "check", path], capture_output=True, text=True)
        out = r.stdout + r.stderr
        if r.returncode == 0:
            theirs = "valid"
        else:
            theirs = next((k for m, k in ORACLE_ENTROPY_KINDS if m in out), "other: " + out.strip()[-120:])
        if theirs == mine[0]:
            agree[theirs] = agree.get(theirs, 0) + 1
        else:
            disagree.append((it, s.hex()[:80], n, mine[0], theirs))
    print(f"  {tried} streams, agreed {dict(sorted(agree.items()))}, {len(disagree)} disagreements")
    for d in disagree[:10]:
        fail(f"entropy vs oracle #{d[0]}", f"stream {d[1]}… n={d[2]}: reader {d[3]}, oracle {d[4]}")
    if not disagree:
        ok("entropy vs oracle")


def fuzz_container(paths, oracle, tmp, count=400):
    """Random byte mutations of small sample files: the reader may only raise
    IngotFormatError (never IndexError, struct.error, ...); with an oracle, accept/reject
    must agree."""
    print(f"== container fuzz ({count} mutations of {', '.join(os.path.basename(p) for p in paths)})")
    rng = random.Random(5)
    blobs = [open(p, "rb").read() for p in paths]
    crashes, disagree, outcomes = [], [], {}
    for it in range(count):
        b = bytearray(rng.choice(blobs))
        hlen = struct.unpack_from("<Q", b, 16)[0]
        doff = struct.unpack_from("<Q", b, 32)[0]
        for _ in range(rng.randint(1, 4)):
            # mostly in the data section, sometimes in the preamble / header (checksum then fails)
            pos = rng.randrange(doff, len(b)) if rng.random() < 0.9 else rng.randrange(0, 40 + hlen)
            b[pos] = rng.randrange(256) if rng.random() < 0.5 else b[pos] ^ (1 << rng.randrange(8))
        path = os.path.join(tmp, "cfuzz.ingot")
        with open(path, "wb") as fh:
            fh.write(b)
        try:
            ir.open_ingot(path)
            got = "accepted"
        except ir.IngotFormatError as ex:
            got = ex.rule
        except Exception as ex:  # noqa: BLE001
            crashes.append(f"#{it}: {type(ex).__name__}: {ex}")
            continue
        outcomes[got] = outcomes.get(got, 0) + 1
        if oracle:
            r = subprocess.run([oracle, "check", path], capture_output=True, text=True)
            if r.returncode not in (0, 1) or (r.returncode == 0) != (got == "accepted"):
                disagree.append(f"#{it}: reader {got}, oracle rc={r.returncode} "
                                f"{(r.stdout + r.stderr).strip()[:160]}")
    top = dict(sorted(outcomes.items(), key=lambda kv: -kv[1])[:12])
    print(f"  outcomes (top): {top}")
    for c in crashes[:5]:
        fail("container fuzz: reader raised a non-format error", c)
    for d in disagree[:5]:
        fail("container fuzz: oracle disagrees", d)
    if not crashes and not disagree:
        ok("container fuzz")
    print(f"  {len(crashes)} reader crashes, {len(disagree)} oracle disagreements")


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
            if VERBOSE:
                out = (r.stdout + r.stderr).strip().replace("\n", " | ")
                print(f"      oracle rc={r.returncode}: {out[:400]}")
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


def _ex_codec(sdir):
    """Codec of chunk 0 plane 0 of the worked example in sdir (None if absent)."""
    path = os.path.join(sdir, "ex.ingot")
    if not os.path.exists(path):
        return None
    b = open(path, "rb").read()
    return b[4096 + 72] if len(b) > 4096 + 72 else None


def main():
    global VERBOSE
    ap = argparse.ArgumentParser()
    ap.add_argument("samples", nargs="+", help="directories with X.ingot / X.safetensors sample pairs")
    ap.add_argument("--oracle", help="path to the Swift `ingot` binary, used as a black box for comparison")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    VERBOSE = args.verbose
    legacy = next((d for d in args.samples if _ex_codec(d) == 1
                   and all(os.path.exists(os.path.join(d, n)) for n in LEGACY)), None)
    edir = next((d for d in args.samples if _ex_codec(d) == 2), None)
    with tempfile.TemporaryDirectory(prefix="ingot-test-") as tmp:
        for d in args.samples:
            compare_samples(d, tmp)
        print(f"  plane codecs over all samples: {CODEC_TOTALS}")
        test_bytegroup_roundtrip()
        test_entropy()
        test_reencode_samples(args.samples)
        cases = []
        if legacy:
            print(f"== legacy cases from {legacy}")
            cases += make_cases(legacy)
            test_version_messages(open(os.path.join(legacy, "ex.ingot"), "rb").read())
        else:
            print("  note: no directory with the format-example.md ex.ingot (zstd planes) and the legacy samples; "
                  "legacy mutation cases skipped")
        if edir:
            print(f"== entropy container cases from {edir}")
            sp = os.path.join(edir, "synth-zstd.ingot")
            cases += make_entropy_cases(open(os.path.join(edir, "ex.ingot"), "rb").read(),
                                        open(sp, "rb").read() if os.path.exists(sp) else None)
        else:
            print("  note: no ex.ingot written by an entropy-coding writer; entropy container cases skipped")
        run_cases(cases, tmp, args.oracle)
        fuzz_files = [os.path.join(d, n) for d in args.samples for n in ("ex.ingot", "dtypes-zstd.ingot",
                                                                          "arrays-zstd.ingot", "llama-bf16.ingot")
                      if os.path.exists(os.path.join(d, n))]
        if fuzz_files:
            fuzz_container(fuzz_files, args.oracle, tmp)
        if args.oracle:
            test_entropy_vs_oracle(args.oracle, tmp)
    print(f"== {PASSES} passed, {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
