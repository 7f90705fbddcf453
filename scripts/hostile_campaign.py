#!/usr/bin/env python3
"""Hostile-input campaign against the built `ingot` CLI (python3 stdlib only; not run by CI).

Re-runs the classes of the hostile-input campaign, each case bounded in time (a timeout, then SIGKILL) and memory
(RLIMIT_AS on the child), and checks for every case:
  - no signal (a negative return code: SIGBUS, SIGSEGV, SIGABRT, SIGILL, SIGTRAP, ...),
  - no hang past the case's time limit,
  - the expected exit status (never 0 on a bad file; 64 for usage errors) and, where one is named, the words the
    one-line error must contain,
  - no temp file left (`.NAME.tmp-XXXXXX` beside the output) and no partial output,
  - peak RSS under the case's bound (the child's own rusage, from wait4; since the child is forked from this script,
    Linux counts this script's RSS at the fork, ~20-30 MB, as a floor).

Classes:
  checksum  a flipped byte in a tensor of an .ingot (raw, and a stored plane of a compressed one), then convert to
            .ingot/.safetensors/.gguf, diff, logits, verify, check: non-zero, naming the checksum
  truncate  a ~300 MB raw .ingot truncated by this script 20-100 ms after check / inspect --stats / convert started:
            exit 1 "changed while being read", or 0 when the command finished first; never a signal or a temp file
  kill9     `kill -9` of convert mid-write: no temp file, no output
  fifo      FIFOs as config.json, model.safetensors, a source file and --token-file: a prompt error
  device    outputs that are devices (/dev/null, a symlink to it, a character device node, a FIFO, a directory): refused
  usage     --max-kld nan, --min-top1 2, --tokens 1,,2, --group-size 0, help bogus: exit 64
  gguf      tensor_count 2^40, kv_count 2^40, a 20 KB tensor name, 50k/200k empty tensors for inspect (timed: linear)

Usage: scripts/hostile_campaign.py [--ingot PATH] [--only CLASS[,CLASS…]] [--runs N] [--keep] [--dir DIR]
The environment is passed to the children. (Ingot's mapped-file guard installs its SIGBUS handler in front of the
Swift runtime's crash reporter and passes it every fault outside Ingot's own mappings.)
The binary is --ingot, else $INGOT, else .build/debug/ingot. Prints one line per case, then a summary table; exits
1 if any case failed.
"""

import argparse
import glob
import json
import os
import random
import resource
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIGNALS = {s.value: s.name for s in signal.Signals}


class Result:
    def __init__(self, rc, out, err, seconds, rss_mb, timed_out, diag=""):
        self.rc, self.out, self.err, self.seconds, self.rss_mb, self.timed_out = rc, out, err, seconds, rss_mb, timed_out
        self.diag = diag  # for a hang: what the process's threads (and children) were waiting in

    def first_error_line(self):
        lines = [l for l in self.err.splitlines() if l.strip()]
        return lines[0] if lines else ""


def run(cmd, timeout=10.0, mem_mb=4096, on_start=None, cwd=None):
    """Runs `cmd` with RLIMIT_AS = mem_mb, no core dumps and a CPU cap; kills it after `timeout` seconds.
    `on_start(popen)` runs right after the start (to truncate or kill). Peak RSS is the child's own (wait4)."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (mem_mb << 20, mem_mb << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        cpu = int(timeout) + 10
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, preexec_fn=limits, cwd=cwd)
    if on_start:
        on_start(p)
    timed_out, diag = False, ""
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - t0 > timeout:
            timed_out = True
            diag = hang_diagnosis(p.pid)
            os.kill(p.pid, signal.SIGKILL)
            pid, status, ru = os.wait4(p.pid, 0)
            break
        time.sleep(0.002)
    seconds = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    out.seek(0)
    err.seek(0)
    return Result(p.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"), seconds,
                  ru.ru_maxrss / 1024.0, timed_out, diag)


def hang_diagnosis(pid):
    """Each thread's name, state and kernel wait channel, and the child processes (a crash reporter, say)."""
    parts = []
    try:
        for tid in sorted(os.listdir(f"/proc/{pid}/task"), key=int):
            base = f"/proc/{pid}/task/{tid}"
            comm = open(f"{base}/comm").read().strip()
            state = open(f"{base}/stat").read().rsplit(")", 1)[1].split()[0]
            wchan = open(f"{base}/wchan").read().strip() or "-"
            parts.append(f"{comm}:{state}:{wchan}")
        for child in open(f"/proc/{pid}/task/{pid}/children").read().split():
            parts.append("child " + open(f"/proc/{child}/cmdline").read().replace("\0", " ").strip()[:60])
    except OSError:
        pass
    return " ".join(parts)


def temp_files(*dirs):
    found = []
    for d in dirs:
        found += glob.glob(os.path.join(d, ".*.tmp-*"))
    return found


class Campaign:
    def __init__(self, ingot, work):
        self.ingot, self.work = ingot, work
        self.results = []  # (class, case, ok, line)

    def cli(self, *args):
        return [self.ingot] + [str(a) for a in args]

    def check(self, cls, case, r, rc=None, rc_in=None, nonzero=False, stderr_has=(), dirs=(), absent=(),
              max_rss_mb=1024, allow_signal=None, extra=None):
        problems = []
        if r.timed_out:
            problems.append(f"hung: killed after {r.seconds:.1f}s [{r.diag}]")
        elif r.rc < 0 and -r.rc != allow_signal:
            problems.append(f"died of {SIGNALS.get(-r.rc, -r.rc)}")
        elif rc is not None and r.rc != rc:
            problems.append(f"exit {r.rc}, expected {rc}")
        elif rc_in is not None and r.rc not in rc_in:
            problems.append(f"exit {r.rc}, expected one of {sorted(rc_in)}")
        elif nonzero and r.rc == 0:
            problems.append("exit 0 on a bad input")
        for words in stderr_has:
            if r.rc != 0 and not r.timed_out and words.lower() not in r.err.lower():
                problems.append(f"stderr lacks {words!r}")
        left = temp_files(*dirs)
        if left:
            problems.append("temp files left: " + ", ".join(os.path.basename(f) for f in left))
            for f in left:
                os.unlink(f)
        for path in absent:
            if os.path.lexists(path):
                problems.append(f"{os.path.basename(path)} exists")
        if r.rss_mb > max_rss_mb:
            problems.append(f"peak RSS {r.rss_mb:.0f} MB over {max_rss_mb} MB")
        if extra:
            problems += extra(r)
        ok = not problems
        detail = "; ".join(problems) if problems else r.first_error_line()[:110]
        line = f"{'PASS' if ok else 'FAIL'}  {cls:<9} {case:<44} rc={r.rc:<4} {r.seconds:6.2f}s {r.rss_mb:7.1f}MB  {detail}"
        print(line, flush=True)
        self.results.append((cls, case, ok, line))
        return ok

    # ------------------------------------------------------------------------------------------------ fixtures

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def fresh_dir(self, name):
        d = self.path(name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return d

    def must(self, args, what):
        r = run(self.cli(*args), timeout=300)
        if r.rc != 0:
            sys.exit(f"setup failed ({what}): exit {r.rc}\n{r.err}")

    def model(self):
        """The tiny llama fixture as .ingot, raw and compressed (made once)."""
        raw, packed = self.path("model.ingot"), self.path("model-zstd.ingot")
        if not os.path.exists(raw):
            self.must(["convert", os.path.join(REPO, "fixtures", "tiny-llama"), "-o", raw], "convert tiny-llama")
            self.must(["convert", raw, "-o", packed, "--compress", "zstd", "--chunk-size", "4096"], "compress")
        return raw, packed


def ingot_header(path):
    with open(path, "rb") as f:
        pre = f.read(40)
        n = struct.unpack_from("<Q", pre, 16)[0]
        data_offset = struct.unpack_from("<Q", pre, 32)[0]
        header = json.loads(f.read(n))
    return header, data_offset


def corrupt_tensor(src, dst, compressed):
    """Copies src to dst with one byte flipped inside a tensor's data so that only its checksum can tell: a raw
    tensor's byte, or a byte of a `stored` plane of a chunked one. Returns the tensor's name."""
    header, data_offset = ingot_header(src)
    blob = bytearray(open(src, "rb").read())
    for t in header["tensors"]:
        if t["length"] < 64:
            continue
        start = data_offset + t["offset"]
        enc = t["encoding"]
        if enc == "raw":
            if compressed:
                continue
            blob[start + t["length"] // 2] ^= 0x5A
            open(dst, "wb").write(blob)
            return t["name"]
        if not compressed:
            continue
        # Chunked: walk the chunk table to a stored (codec 0) plane of chunk 0.
        width = {"f32": 4, "f16": 2, "bf16": 2, "f64": 8}.get(t["dtype"], 1)
        planes = width if enc["filter"] == "bytegroup" else 1
        size = 1
        for d in t["shape"]:
            size *= d
        size *= {"f32": 4, "f16": 2, "bf16": 2, "f64": 8}.get(t["dtype"], 1)
        n = -(-size // enc["chunk_size"])
        chunk = start + 4 * n
        pos = chunk + 5 * planes
        for p in range(planes):
            codec = blob[chunk + 5 * p]
            length = struct.unpack_from("<I", blob, chunk + 5 * p + 1)[0]
            if codec == 0 and length > 0:
                blob[pos + length // 2] ^= 0x5A
                open(dst, "wb").write(blob)
                return t["name"]
            pos += length
    raise SystemExit(f"no tensor to corrupt in {src}")


def gguf_bytes(tensor_count=None, kv_count=None, names=(), extra=b""):
    """A GGUF v3 file: the given tensor names (f32 [0]), counts as declared (default: true)."""
    out = bytearray(b"GGUF") + struct.pack("<I", 3)
    out += struct.pack("<QQ", len(names) if tensor_count is None else tensor_count, 0 if kv_count is None else kv_count)
    for name in names:
        b = name.encode()
        out += struct.pack("<Q", len(b)) + b + struct.pack("<IQIQ", 1, 0, 0, 0)
    out += extra
    while len(out) % 32:
        out.append(0)
    return bytes(out)


# ---------------------------------------------------------------------------------------------------- classes

def class_checksum(c):
    raw, packed = c.model()
    for label, src, compressed in (("raw", raw, False), ("zstd", packed, True)):
        bad = c.path(f"bad-{label}.ingot")
        name = corrupt_tensor(src, bad, compressed)
        out = c.fresh_dir(f"out-checksum-{label}")
        for ext in ("ingot", "safetensors", "gguf"):
            dst = os.path.join(out, "x." + ext)
            # tiny-llama has no tokenizer: GGUF export would refuse it before reading a tensor, so allow it here to
            # reach the tensor data.
            extra = ["--allow-no-tokenizer"] if ext == "gguf" else []
            r = run(c.cli("convert", bad, "-o", dst, *extra))
            c.check("checksum", f"{label}: convert -> .{ext}", r, rc=1, stderr_has=("checksum", name), dirs=(out,),
                    absent=(dst,))
        r = run(c.cli("diff", bad, src))
        c.check("checksum", f"{label}: diff", r, rc=1, stderr_has=("checksum", name))
        r = run(c.cli("logits", bad, "--tokens", "1,2,3"), timeout=30)
        c.check("checksum", f"{label}: logits", r, rc=1, stderr_has=("checksum", name))
        r = run(c.cli("verify", bad, "--reference", src, "--tokens", "1,2,3"), timeout=30)
        c.check("checksum", f"{label}: verify (exit 2: could not run)", r, rc=2, stderr_has=("checksum", name))
        r = run(c.cli("check", bad))
        c.check("checksum", f"{label}: check", r, rc=1, stderr_has=("checksum", name))


def big_ingot(c):
    """A ~300 MB raw .ingot of random f32 data (three 100 MB tensors), made once."""
    path = c.path("big.ingot")
    if os.path.exists(path):
        return path
    st = c.path("big.safetensors")
    tensors = {f"layer.{i}.weight": (25, 1 << 20) for i in range(3)}
    header, offset = {}, 0
    for name, shape in tensors.items():
        n = shape[0] * shape[1] * 4
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(st, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for _ in range(offset // (16 << 20)):
            f.write(os.urandom(16 << 20))
        f.write(os.urandom(offset % (16 << 20)))
    c.must(["convert", st, "-o", path], "convert the 300 MB file")
    os.unlink(st)
    return path


def class_truncate(c, runs):
    big = big_ingot(c)
    size = os.path.getsize(big)
    out = c.fresh_dir("out-truncate")
    victim = c.path("victim.ingot")
    rng = random.Random(1)
    commands = (("check", lambda: ["check", victim]),
                ("inspect --stats", lambda: ["inspect", victim, "--stats"]),
                ("convert", lambda: ["convert", victim, "-o", os.path.join(out, "copy.ingot"), "--force"]))
    for label, args in commands:
        for k in range(runs):
            shutil.copyfile(big, victim)
            delay = rng.uniform(0.020, 0.100)
            cut = rng.randrange(size // 8, size - 4096)

            def truncate(p, delay=delay, cut=cut):
                time.sleep(delay)
                os.truncate(victim, cut)

            r = run(c.cli(*args()), timeout=120, on_start=truncate)

            def outcome(r):
                if r.rc != 1:
                    return []
                problems = []
                if len([l for l in r.err.splitlines() if l.strip()]) != 1:
                    problems.append("more than one line on stderr")
                line = r.first_error_line()
                # Truncated before the command opened it: a plain bad file, named, is right too.
                if "changed while being read" not in line and not line.startswith(f"ingot: {victim}: "):
                    problems.append(f"the error does not name the file that changed: {line[:90]}")
                return problems

            c.check("truncate", f"{label} #{k + 1} (cut at {cut >> 20} MiB after {delay * 1000:.0f} ms)", r,
                    rc_in={0, 1}, dirs=(out, c.work), max_rss_mb=1500, extra=outcome)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
    os.unlink(victim)


def class_kill9(c, runs):
    big = big_ingot(c)
    out = c.fresh_dir("out-kill9")
    rng = random.Random(2)
    for k in range(runs):
        dst = os.path.join(out, "killed.ingot")
        delay = rng.uniform(0.05, 0.6)

        def kill(p, delay=delay):
            time.sleep(delay)
            p.send_signal(signal.SIGKILL)

        r = run(c.cli("convert", big, "-o", dst, "--compress", "zstd"), timeout=120, on_start=kill)
        leftovers = [f for f in os.listdir(out)]
        c.check("kill9", f"convert --compress killed after {delay * 1000:.0f} ms", r, rc_in={-9, 0},
                allow_signal=9, dirs=(out,), max_rss_mb=1500,
                extra=lambda r: ([f"left in the output directory: {leftovers}"] if leftovers and r.rc != 0 else []))
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)


def class_fifo(c):
    raw, _ = c.model()
    tiny = os.path.join(REPO, "fixtures", "tiny-llama")
    # config.json as a FIFO beside a real model.safetensors.
    d = c.fresh_dir("fifo-config")
    shutil.copyfile(os.path.join(tiny, "model.safetensors"), os.path.join(d, "model.safetensors"))
    os.mkfifo(os.path.join(d, "config.json"))
    out = c.fresh_dir("out-fifo")
    r = run(c.cli("convert", d, "-o", os.path.join(out, "x.ingot")), timeout=5)
    c.check("fifo", "config.json is a FIFO: convert DIR", r, rc=1, stderr_has=("config.json",), dirs=(out,))
    r = run(c.cli("inspect", d), timeout=5)
    c.check("fifo", "config.json is a FIFO: inspect DIR", r, rc=1, stderr_has=("config.json",))
    # model.safetensors as a FIFO beside a real config.json.
    d = c.fresh_dir("fifo-model")
    shutil.copyfile(os.path.join(tiny, "config.json"), os.path.join(d, "config.json"))
    os.mkfifo(os.path.join(d, "model.safetensors"))
    r = run(c.cli("convert", d, "-o", os.path.join(out, "y.ingot")), timeout=5)
    c.check("fifo", "model.safetensors is a FIFO: convert DIR", r, rc=1, stderr_has=("model.safetensors",), dirs=(out,))
    r = run(c.cli("inspect", os.path.join(d, "model.safetensors")), timeout=5)
    c.check("fifo", "a FIFO as the source file: inspect", r, rc=1, stderr_has=("model.safetensors",))
    # --token-file as a FIFO.
    fifo = c.path("tokens.fifo")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    r = run(c.cli("verify", raw, "--reference", raw, "--token-file", fifo), timeout=5)
    c.check("fifo", "--token-file is a FIFO: verify", r, rc_in={1, 2, 64}, nonzero=True, stderr_has=("tokens.fifo",))


def class_device(c):
    raw, _ = c.model()
    d = c.fresh_dir("out-device")
    cases = []
    link = os.path.join(d, "null.ingot")
    os.symlink("/dev/null", link)
    cases.append(("-o a symlink to /dev/null (--force)", ["convert", raw, "-o", link, "--force"], link))
    node = os.path.join(d, "dev.ingot")
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        cases.append(("-o a character device node (--force)", ["convert", raw, "-o", node, "--force"], node))
        npy = os.path.join(d, "dev.npy")
        os.mknod(npy, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        cases.append(("logits -o a character device node", ["logits", raw, "--tokens", "1,2", "-o", npy], npy))
    except PermissionError:
        print("note: mknod not permitted here; device-node cases skipped")
    fifo = os.path.join(d, "fifo.ingot")
    os.mkfifo(fifo)
    cases.append(("-o a FIFO (--force)", ["convert", raw, "-o", fifo, "--force"], fifo))
    folder = os.path.join(d, "dir.ingot")
    os.mkdir(folder)
    cases.append(("-o a directory (--force)", ["convert", raw, "-o", folder, "--force"], folder))
    for label, args, target in cases:
        before = os.lstat(target)
        r = run(c.cli(*args), timeout=10)
        after = os.lstat(target)
        same = (stat.S_IFMT(before.st_mode), before.st_ino) == (stat.S_IFMT(after.st_mode), after.st_ino)
        c.check("device", label, r, nonzero=True, stderr_has=("not a regular file",), dirs=(d,),
                extra=lambda r, same=same: [] if same else ["the output path was replaced"])
    r = run(c.cli("convert", raw, "-o", "/dev/null", "--force"), timeout=10)
    c.check("device", "-o /dev/null (--force)", r, nonzero=True,
            extra=lambda r: [] if stat.S_ISCHR(os.stat("/dev/null").st_mode) else ["/dev/null was replaced"])


def class_usage(c):
    raw, _ = c.model()
    cases = (("verify --max-kld nan", ["verify", raw, "--reference", raw, "--max-kld", "nan"]),
             ("verify --min-top1 2", ["verify", raw, "--reference", raw, "--min-top1", "2"]),
             ("logits --tokens 1,,2", ["logits", raw, "--tokens", "1,,2"]),
             ("convert --group-size 0", ["convert", raw, "-o", c.path("g0.ingot"), "--quantize", "q4_0",
                                         "--group-size", "0"]),
             ("help bogus", ["help", "bogus"]))
    for label, args in cases:
        r = run(c.cli(*args), timeout=10)
        c.check("usage", label, r, rc=64,
                extra=lambda r: [] if len([l for l in r.err.splitlines() if l.strip()]) >= 1 else ["no error line"])


def class_gguf(c):
    d = c.fresh_dir("gguf")
    out = c.fresh_dir("out-gguf")
    f = os.path.join(d, "tensor-count.gguf")
    open(f, "wb").write(gguf_bytes(tensor_count=1 << 40))
    c.check("gguf", "tensor_count 2^40: inspect", run(c.cli("inspect", f), timeout=5), rc=1, stderr_has=("tensor",),
            max_rss_mb=256)
    f = os.path.join(d, "kv-count.gguf")
    open(f, "wb").write(gguf_bytes(kv_count=1 << 40))
    c.check("gguf", "kv_count 2^40: inspect", run(c.cli("inspect", f), timeout=5), rc=1, max_rss_mb=256)
    f = os.path.join(d, "tensor-count-near-cap.gguf")
    open(f, "wb").write(gguf_bytes(tensor_count=1_000_000))
    c.check("gguf", "tensor_count 1e6 in a 64-byte file: inspect", run(c.cli("inspect", f), timeout=5), rc=1,
            max_rss_mb=256)
    f = os.path.join(d, "long-name.gguf")
    open(f, "wb").write(gguf_bytes(names=["n" * 20480]))
    c.check("gguf", "a 20 KB tensor name: inspect", run(c.cli("inspect", f), timeout=5), rc_in={0, 1}, max_rss_mb=256,
            extra=lambda r: [] if len(r.out) < 100_000 else [f"printed {len(r.out)} bytes"])
    dst = os.path.join(out, "long-name.ingot")
    c.check("gguf", "a 20 KB tensor name: convert -> .ingot", run(c.cli("convert", f, "-o", dst), timeout=5), rc=1,
            stderr_has=("name",), dirs=(out,), absent=(dst,), max_rss_mb=256)
    times = {}
    for n in (50_000, 200_000):
        f = os.path.join(d, f"empty-{n}.gguf")
        open(f, "wb").write(gguf_bytes(names=[f"t.{i}" for i in range(n)]))
        r = run(c.cli("inspect", f), timeout=60, mem_mb=8192)
        times[n] = r.seconds
        c.check("gguf", f"{n} empty tensors: inspect ({r.seconds:.2f}s)", r, rc=0, max_rss_mb=2048)
    ratio = times[200_000] / max(times[50_000], 1e-3)
    r = Result(0, "", "", times[200_000], 0.0, False)
    c.check("gguf", f"inspect time 200k / 50k = {ratio:.1f} (linear: 4)", r,
            extra=lambda r: [] if ratio < 6 else [f"superlinear: {ratio:.1f}x for 4x the tensors"])


CLASSES = ("checksum", "truncate", "kill9", "fifo", "device", "usage", "gguf")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ingot", default=os.environ.get("INGOT") or os.path.join(REPO, ".build", "debug", "ingot"))
    ap.add_argument("--only", default=",".join(CLASSES), help="comma-separated classes: " + ", ".join(CLASSES))
    ap.add_argument("--runs", type=int, default=10, help="truncations per command (default 10)")
    ap.add_argument("--dir", help="work directory (default: a new one under $TMPDIR, removed afterwards)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    if not os.access(a.ingot, os.X_OK):
        sys.exit(f"no ingot binary at {a.ingot}: build it (swift build) or pass --ingot / $INGOT")
    work = a.dir or tempfile.mkdtemp(prefix="ingot-campaign-")
    os.makedirs(work, exist_ok=True)
    c = Campaign(os.path.abspath(a.ingot), work)
    print(f"ingot: {c.ingot}\nwork:  {work}\n")
    chosen = [x.strip() for x in a.only.split(",") if x.strip()]
    try:
        for name in chosen:
            if name not in CLASSES:
                sys.exit(f"unknown class {name!r}")
            if name == "truncate":
                class_truncate(c, a.runs)
            elif name == "kill9":
                class_kill9(c, max(3, a.runs // 2))
            else:
                globals()["class_" + name](c)
    finally:
        if not a.keep and not a.dir:
            shutil.rmtree(work, ignore_errors=True)
    print("\nsummary")
    print(f"  {'class':<10} {'cases':>5} {'pass':>5} {'fail':>5}")
    failed = 0
    for name in chosen:
        rows = [r for r in c.results if r[0] == name]
        bad = sum(1 for r in rows if not r[2])
        failed += bad
        print(f"  {name:<10} {len(rows):>5} {len(rows) - bad:>5} {bad:>5}")
    print(f"  {'total':<10} {len(c.results):>5} {len(c.results) - failed:>5} {failed:>5}")
    if failed:
        print("\nfailed cases:")
        for r in c.results:
            if not r[2]:
                print("  " + r[3])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
