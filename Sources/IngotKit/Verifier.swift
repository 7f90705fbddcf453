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
        // The forward passes first, in a scope of their own: the models' scratch (one dequantized matrix each, KV
        // caches) is freed before the per-tensor diff needs memory of its own.
        let run = try compare(request, progress: progress)
        let diff = try TensorDiff.compare(try openModelSource(path: request.reference), try openModelSource(path: request.candidate))
        let identical = diff.rows.allSatisfy { $0.identical }
        let outcome: VerifyReport.Outcome, verdict: Verdict
        switch run.result {
        case let .logits(c):
            var t = Thresholds.defaults(candidateTypes: run.candidateTypes, allIdentical: identical)
            if let v = request.maxKLD { t.maxMeanKLD = v; t.requireIdentical = false; t.basis = "given" }
            if let v = request.minTop1 { t.minTop1 = v; t.requireIdentical = false; t.basis = "given" }
            if let v = request.minGreedy { t.minGreedy = v }
            (outcome, verdict) = (.decoder(c, t), Verdict(c, t, greedyAgreement: run.greedy?.agreement))
        case let .embeddings(e):
            var t = EncoderThresholds.defaults(candidateTypes: run.candidateTypes, allIdentical: identical)
            if let v = request.minCosine { t.minCosine = v; t.requireIdentical = false; t.basis = "given" }
            if let v = request.maxHiddenNMSE { t.maxHiddenNMSE = v; t.requireIdentical = false; t.basis = "given" }
            (outcome, verdict) = (.encoder(e, t), Verdict(e, t))
        }
        return VerifyReport(candidate: request.candidate, reference: request.reference, sequences: run.sequences,
                            outcome: outcome, verdict: verdict, diff: diff, textScores: run.text, greedy: run.greedy,
                            warnings: run.warnings)
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
        var text: TextScores? = nil
        var greedy: GreedyAgreement? = nil
        var warnings: [String] = []
    }

    /// Both models, opened together and run input by input, so only one input's outputs (a window's logits) are held
    /// at a time whatever the size of the evaluation set.
    static func compare(_ request: VerifyRequest, progress: ProgressHandler?) throws -> Run {
        let ref = try ModelRunner(path: request.reference, threads: request.threads)
        let cand = try ModelRunner(path: request.candidate, threads: request.threads)
        guard ref.isEncoder == cand.isEncoder else {
            throw PipelineError.kindsDiffer(reference: ref.isEncoder ? "an encoder" : "a decoder",
                                            candidate: cand.isEncoder ? "an encoder" : "a decoder")
        }
        guard ref.vocabSize == cand.vocabSize else {
            throw PipelineError.vocabulariesDiffer(reference: ref.vocabSize, candidate: cand.vocabSize)
        }
        let text = request.text ?? (request.usesDefaultSet ? ("default evaluation set", DefaultEvaluationSet.text) : nil)
        let prompts = request.prompts ?? (request.usesDefaultSet ? EvaluationPrompt.defaults : nil)
        if text != nil, ref.text == nil { throw PipelineError.textNeedsTokenizer(path: ref.path) }
        for s in request.sequences ?? [] {
            if let bad = s.first(where: { $0 >= ref.vocabSize }) { throw PipelineError.tokenOutsideVocabulary(token: bad, vocab: ref.vocabSize) }
        }
        if ref.isEncoder {
            return try encoders(ref, cand, request: request, text: text, prompts: prompts, progress: progress)
        }
        return try decoders(ref, cand, request: request, text: text, prompts: prompts, progress: progress)
    }

    private static func decoders(_ ref: ModelRunner, _ cand: ModelRunner, request: VerifyRequest,
                                 text: (name: String, content: String)?, prompts: [EvaluationPrompt]?,
                                 progress: ProgressHandler?) throws -> Run {
        var acc = LogitComparison.Accumulator()
        var warnings: [String] = []
        let maxPositions = min(ref.maxPositions, cand.maxPositions)

        // Prompts first become ids (the reference's tokenizer and chat template); a default-set chat the reference
        // cannot render (no template) is left out with a warning, a given one is an error.
        let refGenerator = Generator(runner: ref)
        var promptIDs: [(EvaluationPrompt, [Int])] = []
        for p in prompts ?? [] {
            do { promptIDs.append((p, try refGenerator.promptIDs(p.input))) } catch PipelineError.noChatTemplate(let path)
                where request.prompts == nil {
                warnings.append("\(path): no chat template; the default set's chats were left out")
            }
        }
        var sequences = request.sequences ?? []
        if text == nil { sequences += promptIDs.map(\.1) }

        // The text's windows (the reference's tokenizer, no special tokens; BOS first when the model uses one).
        var windows: [(start: Int, ids: [Int])] = []
        var stream: [Int] = []
        if let text, let t = ref.text {
            stream = t.tokenizer.encode(text.content, addSpecialTokens: false).ids
            guard stream.count >= 2 else { throw PipelineError.textTooShort(tokens: stream.count) }
            windows = TextWindows.make(stream, context: min(request.context, maxPositions), bos: Self.bos(t),
                                       maxWindows: request.maxWindows)
        }
        let total = windows.count + sequences.count + 2 * promptIDs.count
        var done = 0
        var positions: [TextScores.Position] = []
        // Per-position records only for the text's windows (the report plots them); token sequences add to the totals.
        acc.keepsPositions = true
        for (w, window) in windows.enumerated() {
            done += 1
            progress?(done, total, "window \(w + 1) of \(windows.count)")
            let before = acc.scores.count
            // Only the scored half gets logits (a 512-token window of a 128k vocabulary is 256 MB of them per model).
            let first = window.ids.count / 2
            let r = try ref.logits(window.ids, from: first), c = try cand.logits(window.ids, from: first)
            let scored = Array(window.ids[first...])
            acc.add(reference: r, candidate: c, tokens: scored, until: scored.count - 1)
            for (k, score) in acc.scores[before...].enumerated() {
                positions.append(TextScores.Position(window: w, offset: window.start + window.ids.count / 2 + k + 1, score: score))
            }
        }
        acc.keepsPositions = false
        for s in sequences {
            done += 1
            progress?(done, total, "sequence")
            guard s.count <= maxPositions else { throw PipelineError.sequenceTooLong(tokens: s.count, maxPositions: maxPositions) }
            acc.add(reference: try ref.logits(s), candidate: try cand.logits(s), tokens: s)
        }
        var scores: TextScores? = nil
        if let text, let t = ref.text, !windows.isEmpty {
            let pieces = TextStream.pieces(stream, tokenizer: t.tokenizer)
            var tops: [Int: String] = [:]
            for p in positions {
                for id in [p.score.referenceTop, p.score.candidateTop] where tops[id] == nil {
                    tops[id] = (try? t.decode([id], skipSpecialTokens: false)) ?? ""
                }
            }
            scores = TextScores(source: text.name, context: min(request.context, maxPositions), windows: windows.count,
                                tokens: stream, pieces: pieces, positions: positions, topTokenText: tops)
        }
        var greedy: GreedyAgreement? = nil
        if !promptIDs.isEmpty {
            let candGenerator = Generator(runner: cand)
            let stop = ref.text?.stopTokenIDs ?? []
            var results: [GreedyAgreement.Prompt] = []
            for (p, ids) in promptIDs {
                func run(_ g: Generator) throws -> [Int] {
                    done += 1
                    progress?(done, total, "greedy: " + p.label)
                    var r = GenerateRequest(input: .tokens(ids), maxTokens: request.greedyTokens, stopAtEndOfTurn: false,
                                            activations: .f32)
                    r.extraStopTokenIDs = stop
                    guard ids.count < maxPositions else { return [] }
                    return try g.generate(r).ids
                }
                let a = try run(refGenerator), b = try run(candGenerator)
                let diverge = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? (a.count == b.count ? nil : min(a.count, b.count))
                func decode(_ x: [Int]) -> String { (try? ref.text?.decode(x.filter { !stop.contains($0) })) ?? "" }
                func pieces(_ x: [Int]) -> [String] {
                    ref.text.map { TextStream.pieces(x, tokenizer: $0.tokenizer) } ?? x.map { _ in "" }
                }
                results.append(GreedyAgreement.Prompt(label: p.label, promptIDs: ids, reference: a, candidate: b,
                                                      referenceText: decode(a), candidateText: decode(b),
                                                      referencePieces: pieces(a), candidatePieces: pieces(b), firstDivergence: diverge))
            }
            greedy = GreedyAgreement(maxTokens: request.greedyTokens, prompts: results)
        }
        return Run(result: .logits(acc.result), sequences: windows.map(\.ids) + sequences, candidateTypes: cand.weightTypes,
                   text: scores, greedy: greedy, warnings: warnings)
    }

    /// The BOS id the tokenizer's post-processor puts first, if it puts exactly one token before the text.
    static func bos(_ t: ModelText) -> Int? {
        let plain = t.tokenizer.encode("a", addSpecialTokens: false).ids
        let full = t.tokenizer.encode("a", addSpecialTokens: true).ids
        guard full.count == plain.count + 1, Array(full.dropFirst()) == plain else { return nil }
        return full.first
    }

    private static func encoders(_ ref: ModelRunner, _ cand: ModelRunner, request: VerifyRequest,
                                 text: (name: String, content: String)?, prompts: [EvaluationPrompt]?,
                                 progress: ProgressHandler?) throws -> Run {
        // Sentences: the text's non-blank lines and the prompts' texts, each tokenized on its own.
        var sentences: [String] = []
        if let text { sentences += text.content.split(separator: "\n").map { $0.trimmingCharacters(in: " \t\r") }.filter { !$0.isEmpty } }
        sentences += (prompts ?? []).map(\.label)
        let maxPositions = min(ref.maxPositions, cand.maxPositions)
        var sequences = request.sequences ?? []
        for s in sentences { sequences.append(Array(try ref.tokenize(s).ids.prefix(maxPositions))) }
        // Both sides are pooled the reference's way, so a candidate that lost its pooling config is still compared
        // like for like.
        let pooling = try ref.defaultPooling()
        var acc = EmbeddingComparison.Accumulator()
        for (i, s) in sequences.enumerated() {
            progress?(i + 1, sequences.count, "sentence")
            guard s.count <= maxPositions else { throw PipelineError.sequenceTooLong(tokens: s.count, maxPositions: maxPositions) }
            let rh = try ref.encode(s), ch = try cand.encode(s)
            acc.add(reference: rh, candidate: ch, referencePooled: try pooled(rh, pooling, path: ref.path),
                    candidatePooled: try pooled(ch, pooling, path: cand.path))
        }
        return Run(result: .embeddings(acc.comparison), sequences: sequences, candidateTypes: cand.weightTypes)
    }

    private static func pooled(_ h: HiddenStates, _ p: Pooling, path: String) throws -> [Float] {
        do { return try p.apply(h) } catch { throw FileError(path: path, error) }
    }

    /// Writes the verdict into the candidate's metadata (`ingot.verify`: the report's JSON, the reference's
    /// provenance, the Ingot version and the date), atomically, tensor data untouched. The candidate must be an
    /// .ingot file, or a sharded Ingot model (its index, directory or a shard): the stamp then goes into the index's
    /// model metadata, never into a shard (that would change the shard's header checksum the index records).
    public static func stamp(_ report: VerifyReport) throws {
        let path = report.candidate
        let candidate = try? openModelSource(path: path)
        // How the candidate's metadata is rewritten in place.
        let rewrite: ((_ update: (inout JSONObject) throws -> Void) throws -> Void)?
        switch candidate {
        case let f as IngotFile:
            rewrite = { try MetadataRewriter.rewrite(path: f.path, $0) }
        case let s as ShardedIngotFile where s.index != nil:
            rewrite = { try IngotShardIndex.rewriteMetadata(path: s.path, $0) }
        default:
            rewrite = nil
        }
        guard let rewrite else { throw PipelineError.stampNeedsIngotFile(path: path) }
        let refProvenance = try openModelSource(path: report.reference).metadata["ingot.provenance"]
        var o = report.json.objectValue ?? JSONObject()
        o["reference_provenance"] = refProvenance ?? .null
        o["ingot_version"] = .string(IngotVersion.string)
        o["date"] = .string(isoDate())
        try rewrite { $0["ingot.verify"] = JSONValue.object(o) }
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
