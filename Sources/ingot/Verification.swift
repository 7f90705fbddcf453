import IngotFormat
import IngotInterop
import IngotFamilies
import IngotModel
import IngotVerify

/// `ingot verify`: both models on the same sequences, the logit comparison, the per-tensor diff, the verdict.
struct Verification {
    let candidatePath: String
    let referencePath: String
    let sequences: [[Int]]
    let comparison: LogitComparison
    let thresholds: Thresholds
    let verdict: Verdict
    let diff: TensorDiff

    static func run(candidate: String, reference: String, sequences given: [[Int]]?, maxKLD: Double?, minTop1: Double?,
                    threads: Int) throws -> Verification {
        // The forward passes first, in a scope of their own: each model's scratch (one dequantized matrix, KV cache)
        // is freed before the per-tensor diff needs memory of its own.
        let (comparison, seqs, candidateTypes) = try compareLogits(candidate: candidate, reference: reference,
                                                                   sequences: given, threads: threads)
        let refSource = try openModelSource(path: reference), candSource = try openModelSource(path: candidate)
        let diff = try TensorDiff.compare(refSource, candSource)
        let allIdentical = diff.rows.allSatisfy { $0.identical }
        var t = Thresholds.defaults(candidateTypes: candidateTypes, allIdentical: allIdentical)
        if let maxKLD { t.maxMeanKLD = maxKLD; t.requireIdentical = false; t.basis = "given" }
        if let minTop1 { t.minTop1 = minTop1; t.requireIdentical = false; t.basis = "given" }
        return Verification(candidatePath: candidate, referencePath: reference, sequences: seqs, comparison: comparison,
                            thresholds: t, verdict: Verdict(comparison, t), diff: diff)
    }

    /// Runs the reference over every sequence, releases it, then the candidate: one model's working memory at a time
    /// (the reference logits are kept, [T, vocab] f32 per sequence).
    static func compareLogits(candidate: String, reference: String, sequences given: [[Int]]?, threads: Int) throws
        -> (LogitComparison, [[Int]], Set<DType>)
    {
        var progress = Progress(total: 2, label: "verify")
        defer { progress.finish() }
        progress.update(1, "reference")
        let (seqs, refLogits, refConfig) = try { () throws -> ([[Int]], [Logits], ModelConfig) in
            let ref = try ModelRunner(path: reference, threads: threads)
            let rc = ref.transformer.config
            let seqs = given ?? defaultSequences(vocab: rc.vocabSize, maxPositions: rc.maxPositions)
            for s in seqs where s.contains(where: { $0 >= rc.vocabSize }) {
                throw CLIError("token id \(s.first { $0 >= rc.vocabSize } ?? 0) is outside the vocabulary (\(rc.vocabSize))")
            }
            return (seqs, try seqs.map { try ref.logits($0) }, rc)
        }()
        progress.update(2, "candidate")
        let cand = try ModelRunner(path: candidate, threads: threads)
        let cc = cand.transformer.config
        guard refConfig.vocabSize == cc.vocabSize else {
            throw CLIError("vocabularies differ: reference \(refConfig.vocabSize), candidate \(cc.vocabSize)")
        }
        var acc = LogitComparison.Accumulator()
        for (s, r) in zip(seqs, refLogits) {
            guard s.count <= cc.maxPositions else { throw CLIError("a sequence of \(s.count) tokens exceeds the candidate's \(cc.maxPositions) positions") }
            acc.add(reference: r, candidate: try cand.logits(s), tokens: s)
        }
        return (acc.result, seqs, Set(cand.source.descriptors.map(\.layout.dtype)))
    }

    /// Four deterministic pseudo-random sequences (a fixed LCG), so runs and machines agree without a tokenizer.
    static func defaultSequences(vocab: Int, maxPositions: Int) -> [[Int]] {
        let length = max(2, min(64, maxPositions))
        var state: UInt64 = 0x1234_5678_9abc_def0
        return (0..<4).map { _ in
            (0..<length).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Int((state >> 33) % UInt64(vocab))
            }
        }
    }

    var text: String {
        let c = comparison
        var t = TextTable(["metric", "value"], right: [1])
        t.rows = [
            ["positions", String(c.positions)],
            ["mean KLD", Fmt.num(c.meanKLD)], ["median KLD", Fmt.num(c.medianKLD)],
            ["p99 KLD", Fmt.num(c.p99KLD)], ["max KLD", Fmt.num(c.maxKLD)],
            ["same top token", Fmt.fixed(100 * c.sameTop1, 2) + "%"], ["RMS Δp", Fmt.fixed(100 * c.rmsDeltaP, 3) + "%"],
            ["logit NMSE", Fmt.num(c.logitNMSE)], ["max |Δ logit|", Fmt.num(c.maxAbsLogitDelta)],
            ["PPL reference", Fmt.num(c.referencePPL)], ["PPL candidate", Fmt.num(c.candidatePPL)],
            ["PPL ratio", Fmt.fixed(c.pplRatio, 4)],
        ]
        var w = TextTable(["worst tensors", "reference", "candidate", "SQNR dB", "max |err|", "cosine"], right: [3, 4, 5])
        for r in diff.worst.prefix(8) {
            w.rows.append([r.name, r.a.map(ConvertReport.typeName) ?? "-", r.b.map(ConvertReport.typeName) ?? "-",
                           r.sqnrDB.map { $0.isInfinite ? "identical" : Fmt.fixed($0, 2) } ?? "-",
                           r.maxAbs.map(Fmt.num) ?? "-", r.cosine.map { Fmt.fixed($0, 6) } ?? "-"])
        }
        var lines = ["verify \(candidatePath) against \(referencePath): \(sequences.count) sequences", t.render(), "", w.render()]
        for r in diff.onlyInA { lines.append("only in the reference: \(r.name)") }
        for r in diff.onlyInB { lines.append("only in the candidate: \(r.name)") }
        for r in diff.rows where r.a != nil && r.b != nil && r.sqnrDB == nil {
            lines.append("shape differs: \(r.name) \(Fmt.shape(r.a?.shape ?? [])) vs \(Fmt.shape(r.b?.shape ?? []))")
        }
        let th = thresholds
        let limits = th.requireIdentical ? "identical logits (all tensors identical)"
            : "mean KLD ≤ \(th.maxMeanKLD), same top token ≥ \(Fmt.fixed(100 * th.minTop1, 1))% (\(th.basis))"
        lines.append("")
        lines.append((verdict.pass ? "PASS" : "FAIL") + " — " + limits + (verdict.reasons.isEmpty ? "" : ": " + verdict.reasons.joined(separator: "; ")))
        return lines.joined(separator: "\n")
    }

    var json: JSONValue {
        let c = comparison
        func num(_ v: Double) -> JSONValue { v.isFinite ? .double(v) : .null }
        let metrics = JSONObject([
            ("positions", .int(Int64(c.positions))), ("mean_kld", num(c.meanKLD)), ("median_kld", num(c.medianKLD)),
            ("p99_kld", num(c.p99KLD)), ("max_kld", num(c.maxKLD)), ("same_top1", num(c.sameTop1)),
            ("rms_delta_p", num(c.rmsDeltaP)), ("logit_nmse", num(c.logitNMSE)), ("max_abs_logit_delta", num(c.maxAbsLogitDelta)),
            ("ppl_reference", num(c.referencePPL)), ("ppl_candidate", num(c.candidatePPL)), ("ppl_ratio", num(c.pplRatio)),
            ("identical", .bool(c.identical)),
        ])
        let worst: [JSONValue] = diff.worst.prefix(16).map { r in
            .object(JSONObject([("name", .string(r.name)), ("sqnr_db", r.sqnrDB.map(num) ?? .null),
                                ("max_abs", r.maxAbs.map(num) ?? .null), ("cosine", r.cosine.map(num) ?? .null)]))
        }
        return .object(JSONObject([
            ("candidate", .string(candidatePath)), ("reference", .string(referencePath)),
            ("verdict", .string(verdict.pass ? "PASS" : "FAIL")), ("reasons", .array(verdict.reasons.map(JSONValue.string))),
            ("thresholds", .object(JSONObject([("max_mean_kld", num(thresholds.maxMeanKLD)), ("min_top1", num(thresholds.minTop1)),
                                               ("require_identical", .bool(thresholds.requireIdentical)), ("basis", .string(thresholds.basis))]))),
            ("metrics", .object(metrics)), ("worst_tensors", .array(worst)),
            ("only_in_reference", .array(diff.onlyInA.map { .string($0.name) })),
            ("only_in_candidate", .array(diff.onlyInB.map { .string($0.name) })),
        ]))
    }

    /// Writes the verdict into the candidate's metadata (`ingot.verify`), atomically, tensor data untouched.
    func stamp(_ path: String) throws {
        guard (try? IngotFile(path: path)) != nil else { throw CLIError("\(path): --stamp needs an .ingot candidate") }
        let refProvenance = try openModelSource(path: referencePath).metadata["ingot.provenance"]
        var o = json.objectValue ?? JSONObject()
        o["reference_provenance"] = refProvenance ?? .null
        o["ingot_version"] = .string(IngotVersion.string)
        o["date"] = .string(isoDate())
        try MetadataRewriter.rewrite(path: path) { $0["ingot.verify"] = .object(o) }
    }
}
