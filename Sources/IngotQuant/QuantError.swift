import IngotFormat
internal import CIngotKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How far reconstructed (dequantized) values are from the originals.
///
/// Computed over fixed chunks of whole rows in parallel, each summed in f64 and combined in chunk order, so the
/// figures are identical for any thread count.
public struct QuantError: Sendable, Equatable {
    /// Root mean squared error. With importance weights: sqrt(Σ w·e² / Σ w), each element weighted by its column.
    public let rmse: Double
    /// Signal-to-quantization-noise ratio in dB: 10·log10(Σ x² / Σ e²) (weighted alike). +∞ when exact.
    public let sqnrDB: Double
    /// Largest absolute error of any element (unweighted).
    public let maxAbs: Double
    /// Elements compared.
    public let count: Int

    /// Compares `original` with `reconstructed` element by element. `importance` (optional) holds one weight per
    /// column of rows of `importance.count` elements; the count must divide the number of values.
    public static func measure(
        original: UnsafeBufferPointer<Float>, reconstructed: UnsafeBufferPointer<Float>, importance: [Float]? = nil,
        threads: Int = Parallel.cpuCount
    ) throws(QuantizationError) -> QuantError {
        let n = original.count
        guard reconstructed.count == n else { throw .outputCountMismatch(expected: n, got: reconstructed.count) }
        let rowLength = importance?.count ?? 0
        if let w = importance {
            guard rowLength > 0 ? n % rowLength == 0 : n == 0 else {
                throw .importanceLength(tensor: "", expected: rowLength, got: w.count)
            }
            if let bad = w.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
                throw .badImportance(tensor: "", index: bad)
            }
        }
        guard n > 0, let x = original.baseAddress, let y = reconstructed.baseAddress else {
            return QuantError(rmse: 0, sqnrDB: .infinity, maxAbs: 0, count: 0)
        }
        // Chunks of whole rows when weighted (each chunk then starts at column 0).
        let step = rowLength > 0 ? max(1, Quantizer.chunkElements / rowLength) * rowLength : Quantizer.chunkElements
        let chunks = (n + step - 1) / step
        let partial = UnsafeMutableBufferPointer<Partial>.allocate(capacity: chunks)
        partial.initialize(repeating: Partial())
        defer { partial.deallocate() }
        let weights = importance.map { w in w.map(Double.init) } ?? []
        weights.withUnsafeBufferPointer { wp in
            Parallel.run(chunks, threads: threads) { c, _ in
                let start = c * step, end = min(n, start + step)
                var p = Partial()
                if rowLength > 0 {
                    for i in start..<end {
                        let w = wp[(i - start) % rowLength]
                        let xi = Double(x[i]), e = Double(y[i]) - xi
                        p.error += w * e * e
                        p.signal += w * xi * xi
                        p.weight += w
                        p.maxAbs = max(p.maxAbs, abs(e))
                    }
                } else {
                    // The unweighted case is every quantized tensor's table row: a vectorised C loop.
                    ingot_error_sums(x + start, y + start, end - start, &p.error, &p.signal, &p.maxAbs)
                    p.weight = Double(end - start)
                }
                partial[c] = p
            }
        }
        var total = Partial()
        for p in partial {
            total.error += p.error
            total.signal += p.signal
            total.weight += p.weight
            total.maxAbs = max(total.maxAbs, p.maxAbs)
        }
        let mse = total.weight > 0 ? total.error / total.weight : 0
        let sqnr = total.error > 0 ? 10 * log10(total.signal / total.error) : Double.infinity
        return QuantError(rmse: mse.squareRoot(), sqnrDB: sqnr, maxAbs: total.maxAbs, count: n)
    }

    public init(rmse: Double, sqnrDB: Double, maxAbs: Double, count: Int) {
        self.rmse = rmse
        self.sqnrDB = sqnrDB
        self.maxAbs = maxAbs
        self.count = count
    }
}

/// One chunk's sums.
private struct Partial {
    var error = 0.0, signal = 0.0, weight = 0.0, maxAbs = 0.0
}
