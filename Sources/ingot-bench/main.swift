// ingot-bench: in-process timings for the benchmark scripts (scripts/bench_*.py), which compare them with peers
// in the same run. Not a user command; prints one JSON object.
//
//   ingot-bench codec FILE [--dtype f32|bf16|f16] [--level N] [--threads N] [--repeat N] [--chunk BYTES]
//       casts every float tensor of FILE to --dtype, compresses each (as the writer would) and decompresses it
//       again; reports sizes and the best-of-N throughput of each direction in GB/s of decoded bytes.
//   ingot-bench open FILE [--repeat N]
//       opens any supported file and lists its tensors (name, dtype, shape): best-of-N seconds.
//   ingot-bench forward MODEL [--tokens N] [--threads N] [--repeat N]
//       loads a model (HF directory, .ingot, .gguf) and times a prefill of N deterministic tokens: best of N seconds.
//   ingot-bench read FILE [--threads N]
//       opens an .ingot file and reads every tensor's decoded bytes (XXH3 over them, as `check` does).
import Dispatch
import IngotFormat
import IngotInterop
import IngotFamilies
import IngotKit
import IngotModel
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func option(_ name: String, _ args: [String]) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func fail(_ s: String) -> Never {
    fputs_stderr("ingot-bench: \(s)\n")
    exit(2)
}

func fputs_stderr(_ s: String) {
    var s = s
    s.withUTF8 { b in _ = write(2, b.baseAddress, b.count) }
}

func codec(_ path: String, _ args: [String]) throws -> JSONValue {
    let dtype = option("--dtype", args).flatMap(DType.init(rawValue:))
    var opts = CompressionOptions()
    if let l = option("--level", args).flatMap(Int.init) { opts.level = l }
    if let c = option("--chunk", args).flatMap(Int.init) { opts.chunkBytes = c }
    let threads = option("--threads", args).flatMap(Int.init) ?? 1
    let repeats = option("--repeat", args).flatMap(Int.init) ?? 3
    let src = try openTensorSource(path: path)
    var tensors: [(TensorLayout, TensorBuffer)] = []
    for d in src.descriptors {
        var b = try src.load(d.name)
        var layout = d.layout
        if let t = dtype, layout.dtype.isFloat, layout.dtype != t {
            b = try b.withBytes { try FloatConversion.cast($0, from: layout.dtype, to: t) }
            layout = try TensorLayout(name: d.name, dtype: t, shape: layout.shape, groupSize: nil)
        } else if src is IngotFile == false {
            b = b.withBytes { TensorBuffer(copying: $0) }  // out of the mapping: time the codec, not page faults
        }
        tensors.append((layout, b))
    }
    let raw = tensors.reduce(0) { $0 + $1.0.byteCount }
    var encoded: [(Encoding, [UInt8])] = []
    var bestC = Double.infinity, bestD = Double.infinity
    for _ in 0..<repeats {
        let t0 = now()
        encoded = try tensors.map { l, b in
            try b.withBytes { try TensorCompression.compress($0, layout: l, options: opts, threads: threads) }
                .map { ($0.encoding, $0.stored) } ?? (.raw, b.withBytes { Array($0) })
        }
        bestC = min(bestC, now() - t0)
    }
    let outs = tensors.map { OwnedBytes(count: $0.0.byteCount) }
    for _ in 0..<repeats {
        let t0 = now()
        for (i, (l, _)) in tensors.enumerated() {
            try encoded[i].1.withUnsafeBytes {
                try TensorCompression.decompress($0, layout: l, encoding: encoded[i].0, into: outs[i].mutable, threads: threads)
            }
        }
        bestD = min(bestD, now() - t0)
    }
    for (i, (_, b)) in tensors.enumerated() {
        let same = b.withBytes { a in a.elementsEqual(UnsafeRawBufferPointer(outs[i].mutable)) }
        if !same { fail("tensor \(i) did not round-trip") }
    }
    let stored = encoded.reduce(0) { $0 + $1.1.count }
    return .object(JSONObject([
        ("file", .string(path)), ("dtype", .string(dtype?.rawValue ?? "as stored")), ("level", .int(Int64(opts.level))),
        ("threads", .int(Int64(threads))), ("raw_bytes", .int(Int64(raw))), ("stored_bytes", .int(Int64(stored))),
        ("ratio", .double(Double(stored) / Double(max(raw, 1)))),
        ("compress_gbps", .double(Double(raw) / bestC / 1e9)), ("decompress_gbps", .double(Double(raw) / bestD / 1e9)),
    ]))
}

func openList(_ path: String, _ args: [String]) throws -> JSONValue {
    let repeats = option("--repeat", args).flatMap(Int.init) ?? 20
    var best = Double.infinity
    var count = 0
    for _ in 0..<repeats {
        let t0 = now()
        let src = try openTensorSource(path: path)
        var names = 0
        for d in src.descriptors { names &+= d.name.utf8.count &+ d.layout.shape.count }
        count = src.descriptors.count + (names & 0)
        best = min(best, now() - t0)
    }
    return .object(JSONObject([("file", .string(path)), ("tensors", .int(Int64(count))), ("open_list_seconds", .double(best))]))
}

func forward(_ path: String, _ args: [String]) throws -> JSONValue {
    let n = option("--tokens", args).flatMap(Int.init) ?? 128
    let threads = option("--threads", args).flatMap(Int.init) ?? 1
    let repeats = option("--repeat", args).flatMap(Int.init) ?? 3
    // --last: only the last position's logits (a prompt pass before generation, as llama.cpp's eval computes).
    let last = args.contains("--last")
    let runner = try ModelRunner(path: path, threads: threads)
    var state: UInt64 = 42
    let tokens = (0..<n).map { _ -> Int in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(runner.vocabSize))
    }
    var best = Double.infinity
    for _ in 0..<repeats {
        let t0 = now()
        _ = try runner.logits(tokens, from: last ? n - 1 : 0)  // from an empty context each time
        best = min(best, now() - t0)
    }
    return .object(JSONObject([("model", .string(path)), ("tokens", .int(Int64(n))), ("threads", .int(Int64(threads))),
                               ("blas_core", .string(BLASTuning.coreName)), ("simd", .string(SIMDLevel.selected.description)),
                               ("logits", .string(last ? "last" : "all")), ("prefill_seconds", .double(best))]))
}

func read(_ path: String, _ args: [String]) throws -> JSONValue {
    let threads = option("--threads", args).flatMap(Int.init) ?? Parallel.cpuCount
    let t0 = now()
    let f = try IngotFile(path: path)
    let opened = now() - t0
    var bytes = 0
    for t in f.tensors { bytes += try f.verify(t, threads: threads).count }
    let total = now() - t0
    return .object(JSONObject([
        ("file", .string(path)), ("tensors", .int(Int64(f.tensors.count))), ("bytes", .int(Int64(bytes))),
        ("open_seconds", .double(opened)), ("read_seconds", .double(total)), ("read_gbps", .double(Double(bytes) / total / 1e9)),
    ]))
}

BLASTuning.releaseIdleThreads()  // as the CLI does: no OpenBLAS thread spinning beside the timed work
let args = Array(CommandLine.arguments.dropFirst())
guard args.count >= 2 else { fail("usage: ingot-bench codec|read FILE [options]") }
do {
    let result: JSONValue
    switch args[0] {
    case "codec": result = try codec(args[1], args)
    case "read": result = try read(args[1], args)
    case "open": result = try openList(args[1], args)
    case "forward": result = try forward(args[1], args)
    default: fail("unknown mode \(args[0])")
    }
    print(result.description)
} catch {
    fail("\(error)")
}
