internal import CIngotKernels
import IngotFormat
#if canImport(Glibc)
import Glibc
#endif

extension QuantError {
    /// The error of block-quantized `blocks` against `original`, without materialising the dequantized tensor: each
    /// chunk of groups is dequantized into a small scratch buffer and compared at once (one pass over the original,
    /// none over a tensor-sized f32 copy — this is what `convert --quantize` reports per tensor).
    public static func measure(original: UnsafeBufferPointer<Float>, blocks: UnsafeRawBufferPointer, layout: TensorLayout,
                               threads: Int = Parallel.cpuCount) throws(QuantizationError) -> QuantError {
        let n = original.count
        guard let g = layout.groupSize, layout.dtype.isBlockQuantized, n == layout.elementCount else {
            return try measure(original: original, reconstructed: original, threads: threads)
        }
        let unit = layout.unitBytes
        guard blocks.count == (n / g) * unit else {
            throw .blockBytesMismatch(expected: (n / g) * unit, got: blocks.count)
        }
        guard n > 0, let x = original.baseAddress else { return QuantError(rmse: 0, sqnrDB: .infinity, maxAbs: 0, count: 0) }
        let groupsPerChunk = max(1, Quantizer.chunkElements / g)
        let groups = n / g
        let chunks = (groups + groupsPerChunk - 1) / groupsPerChunk
        var sums = [(Double, Double, Double)](repeating: (0, 0, 0), count: chunks)
        sums.withUnsafeMutableBufferPointer { out in
            ChunkRunner.run(chunks, threads: threads) { c, _ in
                let g0 = c * groupsPerChunk, g1 = min(groups, g0 + groupsPerChunk)
                let count = (g1 - g0) * g
                var scratch = [Float](repeating: 0, count: count)
                let part = UnsafeRawBufferPointer(rebasing: blocks[(g0 * unit)..<(g1 * unit)])
                do {
                    let l = try TensorLayout(name: "chunk", dtype: layout.dtype, shape: [g1 - g0, g], groupSize: g)
                    try scratch.withUnsafeMutableBufferPointer { try Quantizer.dequantize(part, layout: l, into: $0, threads: 1) }
                } catch {
                    out[c] = (.nan, .nan, .nan)  // cannot happen: the sizes were checked above; reported below if it does
                    return
                }
                var e = 0.0, s = 0.0, m = 0.0
                scratch.withUnsafeBufferPointer { ingot_error_sums(x + g0 * g, $0.baseAddress, count, &e, &s, &m) }
                out[c] = (e, s, m)
            }
        }
        if sums.contains(where: { $0.0.isNaN }) { throw .blockBytesMismatch(expected: (n / g) * unit, got: blocks.count) }
        var err = 0.0, sig = 0.0, maxAbs = 0.0
        for (e, s, m) in sums { err += e; sig += s; maxAbs = max(maxAbs, m) }
        let mse = err / Double(n)
        return QuantError(rmse: mse.squareRoot(), sqnrDB: err > 0 ? 10 * log10(sig / err) : .infinity, maxAbs: maxAbs, count: n)
    }
}
