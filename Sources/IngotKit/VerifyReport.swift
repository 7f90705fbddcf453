import IngotFormat
import IngotVerify

/// The outcome of a verification: the logit comparison, the thresholds it was judged by, the verdict, and the
/// per-tensor diff (worst tensors first).
public struct VerifyReport: Sendable {
    public let candidate: String
    public let reference: String
    public let sequences: [[Int]]
    public let comparison: LogitComparison
    public let thresholds: Thresholds
    public let verdict: Verdict
    public let diff: TensorDiff

    /// What `--json` prints and `Verifier.stamp` writes (with the reference's provenance and a date).
    public var json: JSONValue {
        let c = comparison
        let metrics = JSONObject([
            ("positions", .integer(c.positions)), ("mean_kld", .number(c.meanKLD)), ("median_kld", .number(c.medianKLD)),
            ("p99_kld", .number(c.p99KLD)), ("max_kld", .number(c.maxKLD)), ("same_top1", .number(c.sameTop1)),
            ("rms_delta_p", .number(c.rmsDeltaP)), ("logit_nmse", .number(c.logitNMSE)),
            ("max_abs_logit_delta", .number(c.maxAbsLogitDelta)), ("ppl_reference", .number(c.referencePPL)),
            ("ppl_candidate", .number(c.candidatePPL)), ("ppl_ratio", .number(c.pplRatio)), ("identical", .bool(c.identical)),
        ])
        let worst: [JSONValue] = diff.worst.prefix(16).map { r in
            .object(JSONObject([("name", .string(r.name)), ("sqnr_db", .number(r.sqnrDB)), ("max_abs", .number(r.maxAbs)),
                                ("cosine", .number(r.cosine))]))
        }
        let t = thresholds
        return .object(JSONObject([
            ("candidate", .string(candidate)), ("reference", .string(reference)),
            ("verdict", .string(verdict.pass ? "PASS" : "FAIL")), ("reasons", .array(verdict.reasons.map(JSONValue.string))),
            ("thresholds", .object(JSONObject([("max_mean_kld", .number(t.maxMeanKLD)), ("min_top1", .number(t.minTop1)),
                                               ("require_identical", .bool(t.requireIdentical)), ("basis", .string(t.basis))]))),
            ("metrics", .object(metrics)), ("worst_tensors", .array(worst)),
            ("only_in_reference", .array(diff.onlyInA.map { .string($0.name) })),
            ("only_in_candidate", .array(diff.onlyInB.map { .string($0.name) })),
        ]))
    }
}
