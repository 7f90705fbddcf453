import IngotFormat

/// Pass/fail limits for verifying an encoder: the lowest cosine similarity of a sequence's pooled embedding (what
/// retrieval ranks by) and the NMSE of the last hidden states. Defaults follow the candidate's lowest-precision
/// weight type, set from all-MiniLM-L6-v2 quantized by Ingot with headroom (BENCHMARKS.md, "Encoders").
public struct EncoderThresholds: Sendable, Equatable {
    public var minCosine: Double
    public var maxHiddenNMSE: Double
    /// Every candidate tensor is bit-identical to the reference: the hidden states must then be identical too.
    public var requireIdentical: Bool
    public var basis: String

    public init(minCosine: Double, maxHiddenNMSE: Double, requireIdentical: Bool = false, basis: String = "given") {
        self.minCosine = minCosine
        self.maxHiddenNMSE = maxHiddenNMSE
        self.requireIdentical = requireIdentical
        self.basis = basis
    }

    /// Documented defaults per weight type: (type, min cosine, max hidden-state NMSE).
    public static let table: [(DType, Double, Double)] = [
        (.q2_k, 0.85, 0.3), (.q3_k, 0.93, 0.12),
        (.q4_0, 0.97, 0.05), (.q4_1, 0.97, 0.05), (.iq4_nl, 0.97, 0.05), (.q4_k, 0.97, 0.05),
        (.q5_0, 0.985, 0.02), (.q5_1, 0.985, 0.02), (.q5_k, 0.985, 0.02), (.q6_k, 0.995, 0.01), (.q8_0, 0.998, 0.005),
        (.bf16, 0.9995, 0.001), (.f16, 0.99995, 1e-4), (.f32, 0.999999, 1e-6), (.f64, 0.999999, 1e-6),
    ]

    /// The defaults for a candidate with these weight dtypes (the loosest entry present wins).
    public static func defaults(candidateTypes: Set<DType>, allIdentical: Bool) -> EncoderThresholds {
        if allIdentical { return EncoderThresholds(minCosine: 1, maxHiddenNMSE: 0, requireIdentical: true, basis: "identical tensors") }
        for (t, cos, nmse) in table where candidateTypes.contains(t) {
            return EncoderThresholds(minCosine: cos, maxHiddenNMSE: nmse, basis: t.rawValue)
        }
        return EncoderThresholds(minCosine: 0.999999, maxHiddenNMSE: 1e-6, basis: "f32")
    }
}
