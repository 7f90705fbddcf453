internal import CIngotKernels
import IngotFormat
#if canImport(Glibc)
import Glibc
#endif

/// Block quantization of f32 tensors to q8_0 / q4_0 / q4_1 (any group size) and ggml's q5_0 / q5_1 / iq4_nl /
/// K-quants (layouts: `specs/quant.md`).
///
/// Groups run along the last dimension. Work is split into fixed chunks of whole groups, so the bytes (and any
/// error reported) never depend on the thread count.
public enum Quantizer {
    /// Input floats per chunk of work: large enough to amortise scheduling, small enough to stay in L2 between
    /// the finiteness scan and the quantizer, and to spread small tensors over both cores.
    static let chunkElements = 1 << 15

    /// Quantizes `values` (row-major, `shape`) into blocks. The matching layout is
    /// `TensorLayout(name: name, dtype: options.dtype, shape: shape, groupSize: options.groupSize)`.
    ///
    /// Throws, before writing anything visible: a bad dtype, group size, shape or importance vector; NaN or
    /// infinity in the input (the first such element); a group whose scale or q4_1 minimum overflows f16 (the
    /// first such group; keep that tensor in float). NaN/Inf is reported in preference to an overflow.
    public static func quantize(
        _ values: UnsafeBufferPointer<Float>, shape: [Int], name: String, options: QuantizeOptions
    ) throws(QuantizationError) -> TensorBuffer {
        try quantize(values, shape: shape, name: name, options: options, measure: false).blocks
    }

    /// Quantizes like `quantize` and measures the error of the result (RMSE, SQNR, max |err|) in the same pass: each
    /// chunk is dequantized and compared while it is still in cache, instead of re-reading the tensor afterwards.
    public static func quantizeMeasured(
        _ values: UnsafeBufferPointer<Float>, shape: [Int], name: String, options: QuantizeOptions
    ) throws(QuantizationError) -> (blocks: TensorBuffer, error: QuantError) {
        let r = try quantize(values, shape: shape, name: name, options: options, measure: true)
        return (r.blocks, r.error ?? QuantError(rmse: 0, sqnrDB: .infinity, maxAbs: 0, count: 0))
    }

    static func quantize(
        _ values: UnsafeBufferPointer<Float>, shape: [Int], name: String, options: QuantizeOptions, measure: Bool
    ) throws(QuantizationError) -> (blocks: TensorBuffer, error: QuantError?) {
        let plan = try QuantizePlan(name: name, shape: shape, valueCount: values.count, options: options)
        let out = OwnedBytes(count: plan.layout.byteCount)
        guard plan.groupCount > 0, let src = values.baseAddress, let dst = out.mutable.baseAddress else {
            return (TensorBuffer(out), nil)
        }
        let g = plan.groupSize
        let chunkGroups = max(1, chunkElements / g)
        let chunks = (plan.groupCount + chunkGroups - 1) / chunkGroups
        let workers = Parallel.workerCount(chunks, threads: options.threads)
        let simd = options.kernels.simdFlag, level = options.kernels.searchLevel
        let search = options.method == .search
        let scratchFloats = search ? plan.kernel.scratchFloats(g) : 0
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, workers * scratchFloats))
        // Per chunk: the absolute index of its first non-finite element, or of its first overflowing group; -1 if none.
        let badValue = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks)
        let badGroup = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks)
        badValue.initialize(repeating: -1)
        badGroup.initialize(repeating: -1)
        // With `measure`: each worker's dequantized chunk, and each chunk's (Σerr², Σx², max|err|).
        let deqFloats = measure ? chunkGroups * g : 0
        let deq = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, workers * deqFloats))
        let sums = UnsafeMutableBufferPointer<(Double, Double, Double)>.allocate(capacity: chunks)
        sums.initialize(repeating: (0, 0, 0))
        defer {
            scratch.deallocate()
            badValue.deallocate()
            badGroup.deallocate()
            deq.deallocate()
            sums.deallocate()
        }
        let tracker = FailureTracker()
        let kernel = plan.kernel, dtype = options.dtype, blockBytes = plan.blockBytes, groupsPerRow = plan.groupsPerRow
        let groupCount = plan.groupCount

        func run(_ weights: UnsafePointer<Float>?) {
            Parallel.run(chunks, threads: workers) { c, w in
                let need = tracker.need(c)
                guard need.scan else { return }
                let first = c * chunkGroups
                let n = min(chunkGroups, groupCount - first)
                let x = src + first * g
                let bad = ingot_quant_find_nonfinite(x, n * g, simd)
                if bad < n * g {
                    badValue[c] = first * g + bad
                    tracker.nonFinite(in: c)
                    return
                }
                guard need.quantize else { return }
                let y = dst + first * blockBytes
                let r: Int64
                if search {
                    let mine = scratch.baseAddress.map { $0 + w * scratchFloats }  // this worker's scratch
                    r = kernel.search(x, y, n, g, weights: weights, groupsPerRow: groupsPerRow, first: first, scratch: mine, level)
                } else {
                    r = kernel.ref(x, y, n, g, simd)
                }
                if r >= 0 {
                    badGroup[c] = first + Int(r)
                    tracker.overflow(in: c)
                } else if measure, let d = deq.baseAddress.map({ $0 + w * deqFloats }) {
                    kernel.decode(y, d, n, g, dtype: dtype, kernels: options.kernels)
                    var e = 0.0, s = 0.0, m = 0.0
                    ingot_error_sums(x, d, n * g, &e, &s, &m)
                    sums[c] = (e, s, m)
                }
            }
        }
        if let weights = plan.weights {
            weights.withUnsafeBufferPointer { run($0.baseAddress) }
        } else {
            run(nil)
        }

        if let i = badValue.first(where: { $0 >= 0 }) { throw .nonFinite(tensor: name, index: i) }
        if let grp = badGroup.first(where: { $0 >= 0 }) { throw .scaleOverflow(tensor: name, group: grp, groupSize: g) }
        guard measure else { return (TensorBuffer(out), nil) }
        var err = 0.0, sig = 0.0, maxAbs = 0.0
        for (e, s, m) in sums { err += e; sig += s; maxAbs = max(maxAbs, m) }
        let count = values.count
        let error = QuantError(rmse: (err / Double(count)).squareRoot(), sqnrDB: err > 0 ? 10 * log10(sig / err) : .infinity,
                               maxAbs: maxAbs, count: count)
        return (TensorBuffer(out), error)
    }
}
