import IngotFormat

/// What calibration learns about a model's weight matrices (llama.cpp's "importance matrix"): for every matrix, the
/// sum over calibration tokens of each input column's squared activation, and how many tokens went into the sum.
/// A quantizer weights column j's error by the mean `sums[j] / count`: columns that carry large activations matter
/// more to the product than columns that are nearly always zero.
///
/// Names are GGUF tensor names (`blk.0.attn_q.weight`), as llama.cpp's files use them; `ImportanceMatrix.Entry.matrices`
/// is 1 for ordinary matrices and the expert count for stacked (3-D) expert weights.
public struct ImportanceMatrix: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let name: String
        /// Input columns of the matrix (its row length).
        public let columns: Int
        /// matrices × columns sums of squared activations, matrix by matrix.
        public var sums: [Float]
        /// Tokens (activation rows) summed, per matrix.
        public var counts: [Float]

        public var matrices: Int { counts.count }

        public init(name: String, columns: Int, sums: [Float], counts: [Float]) {
            self.name = name
            self.columns = columns
            self.sums = sums
            self.counts = counts
        }

        /// The per-column mean squared activation, averaged over the matrices that saw any token (one weight per
        /// column, what a quantizer takes); nil when no token reached this matrix.
        public var meanSquares: [Float]? {
            var out = [Float](repeating: 0, count: columns)
            var seen = 0
            for m in 0..<matrices where counts[m] > 0 {
                seen += 1
                let base = m * columns
                for j in 0..<columns { out[j] += sums[base + j] / counts[m] }
            }
            guard seen > 0 else { return nil }
            if seen > 1 { for j in 0..<columns { out[j] /= Float(seen) } }
            return out
        }
    }

    /// In file (or collection) order.
    public var entries: [Entry]
    /// The calibration texts' names (llama.cpp's `imatrix.datasets`).
    public var datasets: [String]
    /// Chunks (context windows) of calibration text processed.
    public var chunkCount: Int
    /// Tokens per chunk (0 when unknown: legacy files do not record it).
    public var chunkSize: Int

    public init(entries: [Entry], datasets: [String], chunkCount: Int, chunkSize: Int) {
        self.entries = entries
        self.datasets = datasets
        self.chunkCount = chunkCount
        self.chunkSize = chunkSize
    }

    public func entry(_ name: String) -> Entry? { entries.first { sameScalars($0.name, name) } }
}
