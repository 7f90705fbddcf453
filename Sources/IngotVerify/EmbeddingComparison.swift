import IngotModel

/// How far a candidate encoder's outputs are from a reference's, per sequence: cosine similarity of the pooled
/// sentence embeddings (what retrieval and similarity search consume) and the NMSE of the last hidden states.
public struct EmbeddingComparison: Sendable, Equatable {
    public var sequences = 0
    public var positions = 0
    /// Cosine of each sequence's pooled embeddings, in input order.
    public var cosines: [Double] = []
    /// Σ(candidate − reference)² / Σ reference² over every hidden state of every sequence.
    public var hiddenNMSE = 0.0
    public var maxAbsHiddenDelta = 0.0
    /// True when every hidden state is bit-identical.
    public var identical = true

    public var meanCosine: Double { cosines.isEmpty ? 1 : cosines.reduce(0, +) / Double(cosines.count) }
    public var minCosine: Double { cosines.min() ?? 1 }

    public init() {}

    public struct Accumulator {
        var result = EmbeddingComparison()
        var err2 = 0.0
        var ref2 = 0.0

        public init() {}

        /// One sequence: both models' hidden states and pooled embeddings (pooled the same way).
        public mutating func add(reference: HiddenStates, candidate: HiddenStates, referencePooled: [Float],
                                 candidatePooled: [Float]) {
            result.sequences += 1
            result.positions += min(reference.positions, candidate.positions)
            for (a, b) in zip(reference.values, candidate.values) {
                let d = Double(b) - Double(a)
                err2 += d * d
                ref2 += Double(a) * Double(a)
                result.maxAbsHiddenDelta = max(result.maxAbsHiddenDelta, abs(d))
                if a.bitPattern != b.bitPattern { result.identical = false }
            }
            if reference.values.count != candidate.values.count { result.identical = false }
            result.cosines.append(Self.cosine(referencePooled, candidatePooled))
        }

        public var comparison: EmbeddingComparison {
            var r = result
            r.hiddenNMSE = ref2 > 0 ? err2 / ref2 : (err2 == 0 ? 0 : .infinity)
            return r
        }

        /// Cosine similarity in f64; two zero vectors are identical (1), one zero vector is orthogonal (0).
        static func cosine(_ x: [Float], _ y: [Float]) -> Double {
            var dot = 0.0, xx = 0.0, yy = 0.0
            for (a, b) in zip(x, y) {
                dot += Double(a) * Double(b)
                xx += Double(a) * Double(a)
                yy += Double(b) * Double(b)
            }
            if xx == 0 || yy == 0 { return xx == yy ? 1 : 0 }
            return dot / (xx.squareRoot() * yy.squareRoot())
        }
    }
}
