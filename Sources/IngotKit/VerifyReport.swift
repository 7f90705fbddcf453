import IngotFormat
import IngotVerify

/// The outcome of a verification: the comparison (logits for decoders, embeddings for encoders), the thresholds it
/// was judged by, the verdict, and the per-tensor diff (worst tensors first).
public struct VerifyReport: Sendable {
    public enum Outcome: Sendable {
        case decoder(LogitComparison, Thresholds)
        case encoder(EmbeddingComparison, EncoderThresholds)
    }

    public let candidate: String
    public let reference: String
    public let sequences: [[Int]]
    public let outcome: Outcome
    public let verdict: Verdict
    public let diff: TensorDiff
    /// Per-position scores on the evaluation text (decoders given a text).
    public var textScores: TextScores? = nil
    /// Greedy continuations of both models (decoders given prompts).
    public var greedy: GreedyAgreement? = nil
    /// What the verification left out (a default-set chat without a template).
    public var warnings: [String] = []

    /// The logit comparison of a decoder verification (nil for encoders).
    public var comparison: LogitComparison? {
        if case let .decoder(c, _) = outcome { return c }
        return nil
    }

    /// The decoder thresholds (nil for encoders).
    public var thresholds: Thresholds? {
        if case let .decoder(_, t) = outcome { return t }
        return nil
    }

    /// What `--json` prints and `Verifier.stamp` writes (with the reference's provenance and a date).
    public var json: JSONValue {
        let (metrics, limits) = outcomeJSON
        let worst: [JSONValue] = diff.worst.prefix(16).map { r in
            .object(JSONObject([("name", .string(r.name)), ("sqnr_db", .number(r.sqnrDB)), ("max_abs", .number(r.maxAbs)),
                                ("cosine", .number(r.cosine))]))
        }
        return .object(JSONObject([
            ("candidate", .string(candidate)), ("reference", .string(reference)),
            ("kind", .string(comparison == nil ? "encoder" : "decoder")),
            ("verdict", .string(verdict.pass ? "PASS" : "FAIL")), ("reasons", .array(verdict.reasons.map(JSONValue.string))),
            ("thresholds", .object(limits)), ("metrics", .object(metrics)), ("worst_tensors", .array(worst)),
            ("only_in_reference", .array(diff.onlyInA.map { .string($0.name) })),
            ("only_in_candidate", .array(diff.onlyInB.map { .string($0.name) })),
            ("inputs", .object(inputsJSON)), ("greedy", greedyJSON), ("warnings", .array(warnings.map(JSONValue.string))),
        ]))
    }

    private var inputsJSON: JSONObject {
        var o = JSONObject([("sequences", .integer(sequences.count))])
        if let t = textScores {
            o["text"] = .object(JSONObject([("source", .string(t.source)), ("tokens", .integer(t.tokens.count)),
                                            ("context", .integer(t.context)), ("windows", .integer(t.windows)),
                                            ("scored_positions", .integer(t.positions.count))]))
        }
        return o
    }

    private var greedyJSON: JSONValue {
        guard let g = greedy else { return .null }
        let prompts: [JSONValue] = g.prompts.map { p in
            .object(JSONObject([
                ("prompt", .string(p.label)), ("prompt_tokens", .integer(p.promptIDs.count)),
                ("first_divergence", p.firstDivergence.map(JSONValue.integer) ?? .null),
                ("reference", .string(p.referenceText)), ("candidate", .string(p.candidateText)),
                ("reference_ids", .array(p.reference.map(JSONValue.integer))),
                ("candidate_ids", .array(p.candidate.map(JSONValue.integer))),
            ]))
        }
        return .object(JSONObject([("agreement", .number(g.agreement)), ("max_tokens", .integer(g.maxTokens)),
                                   ("prompts", .array(prompts))]))
    }

    private var outcomeJSON: (JSONObject, JSONObject) {
        switch outcome {
        case let .decoder(c, t): return (Self.metrics(c), JSONObject([
            ("max_mean_kld", .number(t.maxMeanKLD)), ("min_top1", .number(t.minTop1)),
            ("require_identical", .bool(t.requireIdentical)), ("basis", .string(t.basis)),
            ("min_greedy", t.minGreedy.map { .number($0) } ?? .null)]))
        case let .encoder(e, t): return (JSONObject([
            ("sequences", .integer(e.sequences)), ("positions", .integer(e.positions)),
            ("cosine_mean", .number(e.meanCosine)), ("cosine_min", .number(e.minCosine)),
            ("cosines", .array(e.cosines.map { .number($0) })), ("hidden_nmse", .number(e.hiddenNMSE)),
            ("max_abs_hidden_delta", .number(e.maxAbsHiddenDelta)), ("identical", .bool(e.identical)),
        ]), JSONObject([
            ("min_cosine", .number(t.minCosine)), ("max_hidden_nmse", .number(t.maxHiddenNMSE)),
            ("require_identical", .bool(t.requireIdentical)), ("basis", .string(t.basis))]))
        }
    }

    private static func metrics(_ c: LogitComparison) -> JSONObject {
        JSONObject([
            ("positions", .integer(c.positions)), ("mean_kld", .number(c.meanKLD)), ("median_kld", .number(c.medianKLD)),
            ("p99_kld", .number(c.p99KLD)), ("max_kld", .number(c.maxKLD)), ("same_top1", .number(c.sameTop1)),
            ("rms_delta_p", .number(c.rmsDeltaP)), ("logit_nmse", .number(c.logitNMSE)),
            ("max_abs_logit_delta", .number(c.maxAbsLogitDelta)), ("ppl_reference", .number(c.referencePPL)),
            ("ppl_candidate", .number(c.candidatePPL)), ("ppl_ratio", .number(c.pplRatio)), ("identical", .bool(c.identical)),
        ])
    }
}
