/// PASS or FAIL with the reasons, from a logit (decoder) or embedding (encoder) comparison and its thresholds.
public struct Verdict: Sendable, Equatable {
    public let pass: Bool
    public let reasons: [String]

    /// `greedyAgreement`: the share of prompts with identical greedy continuations, when prompts were run.
    public init(_ c: LogitComparison, _ t: Thresholds, greedyAgreement: Double? = nil) {
        var reasons: [String] = []
        if let g = t.minGreedy, let a = greedyAgreement, !(a >= g) { reasons.append("greedy agreement \(a) < \(g)") }
        if t.requireIdentical {
            if !c.identical { reasons.append("tensors are identical but logits differ (max |Δ| \(c.maxAbsLogitDelta))") }
        } else {
            if !(c.meanKLD <= t.maxMeanKLD) { reasons.append("mean KLD \(c.meanKLD) > \(t.maxMeanKLD)") }
            if !(c.sameTop1 >= t.minTop1) { reasons.append("same top token \(c.sameTop1) < \(t.minTop1)") }
        }
        pass = reasons.isEmpty
        self.reasons = reasons
    }

    public init(_ e: EmbeddingComparison, _ t: EncoderThresholds) {
        var reasons: [String] = []
        if t.requireIdentical {
            if !e.identical { reasons.append("tensors are identical but hidden states differ (max |Δ| \(e.maxAbsHiddenDelta))") }
        } else {
            if !(e.minCosine >= t.minCosine) { reasons.append("min embedding cosine \(e.minCosine) < \(t.minCosine)") }
            if !(e.hiddenNMSE <= t.maxHiddenNMSE) { reasons.append("hidden-state NMSE \(e.hiddenNMSE) > \(t.maxHiddenNMSE)") }
        }
        pass = reasons.isEmpty
        self.reasons = reasons
    }
}
