import IngotFamilies
import IngotFormat
import IngotInterop
import IngotModel
import IngotVerify
#if canImport(Glibc)
import Glibc
#endif

/// Does a candidate still compute what its reference does? Both models on the same sequences — next-token
/// distributions for decoders, pooled embeddings and hidden states for encoders — the per-tensor diff, the verdict.
public enum Verifier {
    /// Runs the verification. A FAIL is a result (`report.verdict.pass == false`), not an error; errors are a model
    /// that cannot be opened or run, or a request no verification could use (`PipelineError`).
    /// Progress: 1 of 2 "reference", then 2 of 2 "candidate".
    public static func verify(_ request: VerifyRequest, progress: ProgressHandler? = nil) throws -> VerifyReport {
        try request.validate()
        // The forward passes first, in a scope of their own: each model's scratch (one dequantized matrix, KV cache)
        // is freed before the per-tensor diff needs memory of its own.
        let run = try compare(request, progress: progress)
        let diff = try TensorDiff.compare(try openModelSource(path: request.reference), try openModelSource(path: request.candidate))
        let identical = diff.rows.allSatisfy { $0.identical }
        let outcome: VerifyReport.Outcome, verdict: Verdict
        switch run.result {
        case let .logits(c):
            var t = Thresholds.defaults(candidateTypes: run.candidateTypes, allIdentical: identical)
            if let v = request.maxKLD { t.maxMeanKLD = v; t.requireIdentical = false; t.basis = "given" }
            if let v = request.minTop1 { t.minTop1 = v; t.requireIdentical = false; t.basis = "given" }
            (outcome, verdict) = (.decoder(c, t), Verdict(c, t))
        case let .embeddings(e):
            var t = EncoderThresholds.defaults(candidateTypes: run.candidateTypes, allIdentical: identical)
            if let v = request.minCosine { t.minCosine = v; t.requireIdentical = false; t.basis = "given" }
            if let v = request.maxHiddenNMSE { t.maxHiddenNMSE = v; t.requireIdentical = false; t.basis = "given" }
            (outcome, verdict) = (.encoder(e, t), Verdict(e, t))
        }
        return VerifyReport(candidate: request.candidate, reference: request.reference, sequences: run.sequences,
                            outcome: outcome, verdict: verdict, diff: diff)
    }

    /// What the forward passes of a verification measured.
    struct Run {
        enum Result {
            case logits(LogitComparison)
            case embeddings(EmbeddingComparison)
        }

        let result: Result
        let sequences: [[Int]]
        let candidateTypes: Set<DType>
    }

    /// The reference's side of a verification, kept while the candidate runs (the reference itself is released).
    enum ReferenceOutputs {
        case logits([Logits])
        /// Hidden states and pooled embeddings per sequence, and the pooling both sides use.
        case embeddings([(HiddenStates, [Float])], Pooling)
    }

    /// The two models' outputs on the same sequences: the reference over every sequence, released, then the
    /// candidate — one model's working memory at a time.
    static func compare(_ request: VerifyRequest, progress: ProgressHandler?) throws -> Run {
        progress?(1, 2, "reference")
        let (seqs, vocab, outputs) = try { () throws -> ([[Int]], Int, ReferenceOutputs) in
            let ref = try ModelRunner(path: request.reference, threads: request.threads)
            let seqs = request.sequences ?? defaultSequences(vocab: ref.vocabSize, maxPositions: ref.maxPositions)
            for s in seqs {
                if let bad = s.first(where: { $0 >= ref.vocabSize }) { throw PipelineError.tokenOutsideVocabulary(token: bad, vocab: ref.vocabSize) }
            }
            guard ref.isEncoder else { return (seqs, ref.vocabSize, .logits(try seqs.map { try ref.logits($0) })) }
            // Both sides are pooled the reference's way, so a candidate that lost its pooling config is still
            // compared like for like.
            let pooling = try ref.defaultPooling()
            let outs = try seqs.map { s -> (HiddenStates, [Float]) in
                let h = try ref.encode(s)
                return (h, try pooled(h, pooling, path: ref.path))
            }
            return (seqs, ref.vocabSize, .embeddings(outs, pooling))
        }()
        progress?(2, 2, "candidate")
        let cand = try ModelRunner(path: request.candidate, threads: request.threads)
        switch outputs {
        case let .logits(referenceLogits):
            guard !cand.isEncoder else { throw PipelineError.kindsDiffer(reference: "a decoder", candidate: "an encoder") }
            guard vocab == cand.vocabSize else { throw PipelineError.vocabulariesDiffer(reference: vocab, candidate: cand.vocabSize) }
            var acc = LogitComparison.Accumulator()
            for (s, r) in zip(seqs, referenceLogits) {
                guard s.count <= cand.maxPositions else { throw PipelineError.sequenceTooLong(tokens: s.count, maxPositions: cand.maxPositions) }
                acc.add(reference: r, candidate: try cand.logits(s), tokens: s)
            }
            return Run(result: .logits(acc.result), sequences: seqs, candidateTypes: cand.weightTypes)
        case let .embeddings(reference, pooling):
            guard cand.isEncoder else { throw PipelineError.kindsDiffer(reference: "an encoder", candidate: "a decoder") }
            guard vocab == cand.vocabSize else { throw PipelineError.vocabulariesDiffer(reference: vocab, candidate: cand.vocabSize) }
            var acc = EmbeddingComparison.Accumulator()
            for (s, (rh, rp)) in zip(seqs, reference) {
                guard s.count <= cand.maxPositions else { throw PipelineError.sequenceTooLong(tokens: s.count, maxPositions: cand.maxPositions) }
                let ch = try cand.encode(s)
                acc.add(reference: rh, candidate: ch, referencePooled: rp, candidatePooled: try pooled(ch, pooling, path: cand.path))
            }
            return Run(result: .embeddings(acc.comparison), sequences: seqs, candidateTypes: cand.weightTypes)
        }
    }

    private static func pooled(_ h: HiddenStates, _ p: Pooling, path: String) throws -> [Float] {
        do { return try p.apply(h) } catch { throw FileError(path: path, error) }
    }

    /// Four deterministic pseudo-random sequences (a fixed LCG), so runs and machines agree without a tokenizer.
    public static func defaultSequences(vocab: Int, maxPositions: Int) -> [[Int]] {
        let length = max(2, min(64, maxPositions))
        var state: UInt64 = 0x1234_5678_9abc_def0
        return (0..<4).map { _ in
            (0..<length).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Int((state >> 33) % UInt64(vocab))
            }
        }
    }

    /// Writes the verdict into the candidate's metadata (`ingot.verify`: the report's JSON, the reference's
    /// provenance, the Ingot version and the date), atomically, tensor data untouched. The candidate must be an
    /// .ingot file.
    public static func stamp(_ report: VerifyReport) throws {
        let path = report.candidate
        guard (try? IngotFile(path: path)) != nil else { throw PipelineError.stampNeedsIngotFile(path: path) }
        let refProvenance = try openModelSource(path: report.reference).metadata["ingot.provenance"]
        var o = report.json.objectValue ?? JSONObject()
        o["reference_provenance"] = refProvenance ?? .null
        o["ingot_version"] = .string(IngotVersion.string)
        o["date"] = .string(isoDate())
        try MetadataRewriter.rewrite(path: path) { $0["ingot.verify"] = .object(o) }
    }

    /// The current UTC time as ISO 8601.
    static func isoDate() -> String {
        var t = time(nil)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(tmv.tm_year + 1900)-\(two(tmv.tm_mon + 1))-\(two(tmv.tm_mday))T\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec))Z"
    }
}
