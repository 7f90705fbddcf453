"""Sharded Ingot models (specs/format.md §11): `STEM.ingot.index.json` beside `STEM-0000k-of-0000N.ingot` shards.

`open_model_file` opens a file, an index, a directory holding one index, or a shard (through the index beside it,
with a warning) — as the Swift tools do — and returns an object with IngotFile's reading interface.
"""

from __future__ import annotations

import json
import os
import struct
import warnings

from ._errors import IngotIOError, InvalidFileError, NoSuchTensorError, quoted
from ._format import IngotFile

INDEX_SUFFIX = ".ingot.index.json"
MAX_INDEX_BYTES = 256 << 20
MAX_SHARDS = 99_999


def _plain(name) -> bool:
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name and "\0" not in name


def _stamp(meta):
    """`ingot.shard` of a header's metadata, or None when absent or malformed."""
    s = meta.get("ingot.shard") if isinstance(meta, dict) else None
    if not isinstance(s, dict):
        return None
    n, c, plan, mx, idx = s.get("number"), s.get("count"), s.get("plan"), s.get("max_bytes"), s.get("index")
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (n, c, mx))
    if not (ints and 1 <= c <= MAX_SHARDS and 1 <= n <= c and mx > 0 and isinstance(plan, str) and _plain(idx)):
        return None
    return {"number": n, "count": c, "plan": plan, "index": idx}


def _header_checksum(f: IngotFile) -> int:
    return struct.unpack_from("<Q", f.buf, 24)[0]


class ShardedIngotFile:
    """Every shard an index lists, each proven against it on open (present, recorded size and header checksum,
    stamped as that shard of that plan, holding exactly the tensors the index puts there)."""

    def __init__(self, index_path, threads=None):
        self.path = os.fspath(index_path)
        self.shards = []
        try:
            try:
                size = os.path.getsize(self.path)
            except OSError as ex:
                raise IngotIOError(self.path, ex.strerror or str(ex), "io") from None
            if size > MAX_INDEX_BYTES:
                raise self._bad(f"shard index of {size} bytes exceeds the cap of {MAX_INDEX_BYTES}")
            with open(self.path, "rb") as fh:
                raw = fh.read(MAX_INDEX_BYTES + 1)
            try:
                root = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError) as ex:
                raise self._bad(f"bad shard index: not valid JSON: {ex}") from None
            index = self._parse(root)
            self._open(index, threads)
        except BaseException:
            self.close()
            raise

    def _bad(self, problem, path=None):
        return InvalidFileError(path or self.path, problem, "invalidHeader")

    def _parse(self, o):
        bad = lambda why: self._bad(f"bad shard index: {why}")  # noqa: E731
        if not isinstance(o, dict):
            raise bad("the top level is not an object")
        if o.get("format") != "ingot-shards":
            raise bad('"format" is not "ingot-shards"')
        if o.get("version") != 1 or isinstance(o.get("version"), bool):
            raise bad('unsupported "version" (this reader reads 1)')
        if not isinstance(o.get("plan"), str):
            raise bad('no "plan" string')
        shards = o.get("shards")
        if not isinstance(shards, list) or not shards:
            raise bad('no "shards" list')
        if len(shards) > MAX_SHARDS:
            raise bad(f"{len(shards)} shards exceed the cap of {MAX_SHARDS}")
        files, out = set(), []
        for i, s in enumerate(shards):
            ok = isinstance(s, dict) and _plain(s.get("file"))
            ok = ok and all(isinstance(s.get(k), int) and not isinstance(s.get(k), bool) and s.get(k) >= 0 for k in ("bytes", "tensors"))
            hx = s.get("header_xxh3") if isinstance(s, dict) else None
            ok = ok and isinstance(hx, str) and len(hx) == 16 and all(c in "0123456789abcdefABCDEF" for c in hx)
            if not ok:
                raise bad(f'shard entry {i + 1} needs "file" (a plain name), "bytes", "header_xxh3" and "tensors"')
            if s["file"] in files:
                raise bad(f"shard file {quoted(s['file'])} is listed twice")
            files.add(s["file"])
            out.append((s["file"], s["bytes"], int(hx, 16), s["tensors"]))
        wm = o.get("weight_map")
        if not isinstance(wm, dict):
            raise bad('no "weight_map" object')
        for t, f in wm.items():
            if f not in files:
                raise bad(f"weight_map puts {quoted(t)} in a file that is not a listed shard")
        total = sum(s[3] for s in out)
        if len(wm) != total:
            raise bad(f"weight_map has {len(wm)} tensors but the shards list {total}")
        if not isinstance(o.get("metadata"), dict):
            raise bad('no "metadata" object')
        return {"plan": o["plan"], "shards": out, "weight_map": wm, "metadata": o["metadata"]}

    def _open(self, index, threads):
        d = os.path.dirname(self.path)
        name = os.path.basename(self.path)
        n = len(index["shards"])
        self.metadata = index["metadata"]
        self.entries, self._where = [], {}
        for i, (file, size, checksum, count) in enumerate(index["shards"]):
            p = os.path.join(d, file)
            if not os.path.exists(p):
                raise InvalidFileError(p, f"shard {i + 1} of {n} is missing", "invalidHeader")
            f = IngotFile(p, threads)
            self.shards.append(f)
            if f.size != size:
                raise InvalidFileError(p, f"shard {i + 1} is not the file the index recorded: {f.size} bytes, {name} recorded {size}", "invalidHeader")
            if _header_checksum(f) != checksum:
                raise InvalidFileError(p, f"shard {i + 1} is not the file the index recorded: header checksum "
                                          f"{_header_checksum(f):016x}, {name} recorded {checksum:016x}", "invalidHeader")
            st = _stamp(f.metadata)
            if st is None or (st["number"], st["count"], st["plan"]) != (i + 1, n, index["plan"]):
                found = "not a shard (no ingot.shard)" if st is None else f"shard {st['number']} of {st['count']} (plan {st['plan']})"
                raise InvalidFileError(p, f"expected shard {i + 1} of {n} (plan {index['plan']}) but this file is {found}", "invalidHeader")
            if len(f.entries) != count:
                raise InvalidFileError(p, f"shard and index disagree: {len(f.entries)} tensors, {name} lists {count}", "invalidHeader")
            for e in f.entries:
                if index["weight_map"].get(e.name) != file:
                    raise InvalidFileError(p, f"shard and index disagree: {name} does not put {quoted(e.name)} in {file}", "invalidHeader")
                if e.name in self._where:
                    raise InvalidFileError(p, f"duplicate tensor name {quoted(e.name)}", "invalidHeader")
                self._where[e.name] = f
                self.entries.append(e)

    def entry(self, name):
        f = self._where.get(name)
        if f is None:
            raise NoSuchTensorError(self.path, f"no tensor named {quoted(str(name))}", "noSuchTensor")
        return f.entry(name)

    def decode(self, e, lo=0, hi=None, verify=True):
        return self._where[e.name].decode(e, lo, hi, verify)

    def close(self):
        for f in self.shards:
            f.close()


def _index_in(directory):
    found = sorted(n for n in os.listdir(directory) if n.endswith(INDEX_SUFFIX) and len(n) > len(INDEX_SUFFIX))
    if len(found) > 1:
        raise InvalidFileError(directory, f"several sharded models here ({', '.join(found)}): name the index", "invalidHeader")
    return os.path.join(directory, found[0]) if found else None


def open_model_file(path, threads=None):
    """An Ingot file, a sharded model's index, a directory holding one, or a shard (the whole model through the
    index its stamp names when it is beside it, else the shard alone) — each with a warning where the Swift tools warn."""
    path = os.fspath(path)
    if os.path.isdir(path):
        index = _index_in(path)
        if index is None:
            raise IngotIOError(path, "a directory without a sharded Ingot model (no *.ingot.index.json)", "io")
        return ShardedIngotFile(index, threads)
    if path.endswith(INDEX_SUFFIX):
        return ShardedIngotFile(path, threads)
    f = IngotFile(path, threads)
    st = _stamp(f.metadata)
    if st is None:
        return f
    name = os.path.basename(path)
    index = os.path.join(os.path.dirname(path), st["index"])
    if not os.path.exists(index):
        warnings.warn(f"{path}: {name} is shard {st['number']} of {st['count']} and {st['index']} is not beside it: "
                      "this shard's tensors only", stacklevel=3)
        return f
    f.close()
    warnings.warn(f"{path}: {name} is shard {st['number']} of {st['count']}: opened the whole model through {st['index']}",
                  stacklevel=3)
    return ShardedIngotFile(index, threads)
