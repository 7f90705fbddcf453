/// PASS or FAIL with the reasons, from a logit comparison and thresholds.
public struct Verdict: Sendable, Equatable {
    public let pass: Bool
    public let reasons: [String]

    public init(_ c: LogitComparison, _ t: Thresholds) {
        var reasons: [String] = []
        if t.requireIdentical {
            if !c.identical { reasons.append("tensors are identical but logits differ (max |Δ| \(c.maxAbsLogitDelta))") }
        } else {
            if !(c.meanKLD <= t.maxMeanKLD) { reasons.append("mean KLD \(c.meanKLD) > \(t.maxMeanKLD)") }
            if !(c.sameTop1 >= t.minTop1) { reasons.append("same top token \(c.sameTop1) < \(t.minTop1)") }
        }
        pass = reasons.isEmpty
        self.reasons = reasons
    }
}
