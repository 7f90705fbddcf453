import IngotFormat

/// Pass/fail limits for `ingot verify`. Defaults follow the candidate's lowest-precision weight type, at roughly the
/// KL divergence and top-token agreement llama.cpp's own scoreboard shows for that type, with headroom for small
/// models (see README, "verify").
public struct Thresholds: Sendable, Equatable {
    public var maxMeanKLD: Double
    public var minTop1: Double
    /// Every candidate tensor is bit-identical to the reference: the logits must then be identical too.
    public var requireIdentical: Bool
    /// Why these defaults (the dtype they were chosen for), for the report.
    public var basis: String
    /// Fail below this share of prompts whose greedy continuations are identical (0…1). Not part of the defaults:
    /// greedy agreement over a dozen prompts moves in steps of 8% and depends on how long the continuations are,
    /// so it is a limit users set for their own prompts.
    public var minGreedy: Double?

    public init(maxMeanKLD: Double, minTop1: Double, requireIdentical: Bool = false, basis: String = "given") {
        self.maxMeanKLD = maxMeanKLD
        self.minTop1 = minTop1
        self.requireIdentical = requireIdentical
        self.basis = basis
    }

    /// Documented defaults per quantization type.
    public static let table: [(DType, Double, Double)] = [
        (.q2_k, 0.40, 0.65), (.q3_k, 0.20, 0.75),
        (.q4_0, 0.10, 0.85), (.q4_1, 0.10, 0.85), (.iq4_nl, 0.10, 0.85), (.q4_k, 0.10, 0.85),
        (.q5_0, 0.04, 0.90), (.q5_1, 0.04, 0.90), (.q5_k, 0.04, 0.90), (.q6_k, 0.02, 0.93), (.q8_0, 0.01, 0.95),
        (.bf16, 0.005, 0.97), (.f16, 0.001, 0.98), (.f32, 0.0005, 0.99), (.f64, 0.0005, 0.99),
    ]

    /// The defaults for a candidate with these weight dtypes (the loosest entry present wins).
    public static func defaults(candidateTypes: Set<DType>, allIdentical: Bool) -> Thresholds {
        if allIdentical { return Thresholds(maxMeanKLD: 0, minTop1: 1, requireIdentical: true, basis: "identical tensors") }
        for (t, kld, top1) in table where candidateTypes.contains(t) {
            return Thresholds(maxMeanKLD: kld, minTop1: top1, basis: t.rawValue)
        }
        return Thresholds(maxMeanKLD: 0.0005, minTop1: 0.99, basis: "f32")
    }
}
