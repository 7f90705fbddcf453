#!/usr/bin/env python3
"""Benchmark: a sharded conversion split into N parts (a job array) against one process doing all of it.

Emulates N machines with one core each on this machine: the one-process run is pinned to one core (`taskset -c 0`),
and each of the N parts to its own core (`taskset -c K-1`); Ingot sizes its thread pool from the affinity mask, so
each process uses exactly its core. Then `ingot index` writes the index. The goal (issue 15): the N parts finish in
at most 1.2 / N of the one-process time, plus the index step. Also checks that both outputs are byte-identical and
reports each process's peak RSS (GNU time) next to the largest tensor.

Source: the ~3 GiB llama-shaped sharded checkpoint of bench_convert.py (generated once). Conversions: --quantize
q8_0 and --compress zstd (CPU-bound: what a cluster speeds up) and raw (I/O-bound: bounded by the disk and memory
bandwidth both runs share here, so it cannot speed up on one machine).

With --sequential the parts run one after another, each alone on one core, and the slowest part counts: N machines
do not share a disk, memory bus or cores with each other, which parts running at once on this machine do.

Usage: python3 scripts/bench_parts.py [--gib 3] [--parts 2] [--shard-size 500MB] [--repeat 1] [--sequential]
"""
import argparse, filecmp, os, re, shutil, subprocess, sys, time

from bench_convert import WORK, make_checkpoint
from benchlib import INGOT, build_release, cpu_class, cpu_name


def run_timed(cmds):
    """Starts every command at once under GNU time; returns (wall seconds until all finished, [peak RSS KiB])."""
    t0 = time.perf_counter()
    procs = [subprocess.Popen(["/usr/bin/time", "-v"] + c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for c in cmds]
    errs = [p.communicate()[1] for p in procs]
    wall = time.perf_counter() - t0
    for p, e, c in zip(procs, errs, cmds):
        if p.returncode != 0:
            sys.exit(f"failed: {' '.join(c)}\n{e[-2000:]}")
    rss = [int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", e).group(1)) for e in errs]
    return wall, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gib", type=float, default=3.0)
    ap.add_argument("--parts", type=int, default=2)
    ap.add_argument("--shard-size", default="500MB")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--sequential", action="store_true",
                    help="run the parts one after another (each alone on its core, as on separate machines) and take the "
                         "slowest part's time, instead of all at once on this machine's cores")
    args = ap.parse_args()
    cores = len(os.sched_getaffinity(0))
    if args.parts > cores and not args.sequential:
        sys.exit(f"--parts {args.parts} needs {args.parts} cores; this machine has {cores}")
    build_release(("ingot",))
    src = os.path.join(WORK, "sharded-ckpt")
    make_checkpoint(src, args.gib)
    data = sum(os.path.getsize(os.path.join(src, f)) for f in os.listdir(src) if f.endswith(".safetensors"))
    largest = 2048 * 5632 * 4
    how = "one after another, slowest counted" if args.sequential else "at once"
    print(f"CPU: {cpu_name()} ({cpu_class()}), {cores} cores; model {data / 2**30:.2f} GiB; shards of {args.shard_size}; "
          f"{args.parts} parts, one core each, {how}")
    print(f"{'conversion':14} {'one process':>12} {'N parts':>9} {'index':>7} {'ratio':>7} {'goal':>7}  peak RSS per process")
    for mode, extra in [("q8_0", ["--quantize", "q8_0"]), ("zstd", ["--compress", "zstd"]), ("raw", [])]:
        best = None
        for _ in range(args.repeat):
            one, many = os.path.join(WORK, "parts-one"), os.path.join(WORK, "parts-many")
            for d in (one, many):
                shutil.rmtree(d, ignore_errors=True)
            subprocess.run(f"cat {src}/*.safetensors > /dev/null", shell=True, check=True)  # warm cache for both
            base = [INGOT, "convert", src, "--max-shard-size", args.shard_size] + extra
            t_one, rss_one = run_timed([["taskset", "-c", "0"] + base + ["-o", one + "/model.ingot"]])
            cmds = [["taskset", "-c", str((k - 1) % cores)] + base + ["-o", many + "/model.ingot", "--part", f"{k}/{args.parts}"]
                    for k in range(1, args.parts + 1)]
            if args.sequential:
                runs = [run_timed([c]) for c in cmds]
                t_many, rss_many = max(r[0] for r in runs), [r[1][0] for r in runs]
            else:
                t_many, rss_many = run_timed(cmds)
            t_index, _ = run_timed([[INGOT, "index", many]])
            names = sorted(os.listdir(one))
            same = names == sorted(os.listdir(many)) and all(filecmp.cmp(os.path.join(one, n), os.path.join(many, n), shallow=False) for n in names)
            if not same:
                sys.exit("the parts' output differs from the one-process output")
            ratio = (t_many + t_index) / t_one
            row = (ratio, t_one, t_many, t_index, rss_one + rss_many)
            best = row if best is None or row[0] < best[0] else best
            shutil.rmtree(one, ignore_errors=True)
            shutil.rmtree(many, ignore_errors=True)
        ratio, t_one, t_many, t_index, rss = best
        goal = 1.2 / args.parts
        print(f"{mode:14} {t_one:10.2f} s {t_many:7.2f} s {t_index:5.2f} s {ratio:7.3f} {goal:7.3f} {'✔' if ratio <= goal else '✘'}  "
              + ", ".join(f"{r / 1024:.0f} MiB" for r in rss) + f" (largest tensor {largest / 2**20:.0f} MiB)")
    print("outputs byte-identical: yes")


if __name__ == "__main__":
    sys.exit(main())
