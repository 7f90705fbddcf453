import ArgumentParser
import IngotKit

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Does CANDIDATE still compute what REFERENCE does? KL divergence, top-token agreement, perplexity (encoders: embedding cosine), worst tensors.",
        discussion: """
            Runs both models' reference forward pass on the same inputs and compares their next-token distributions. \
            Inputs: --text FILE (tokenized with the reference's tokenizer, cut into windows of --ctx tokens, each \
            scored on its second half like llama.cpp's perplexity), --prompts FILE (one prompt per line, plain text or \
            {"prompt": …} / {"messages": […]} JSON; both models continue each greedily for --greedy-tokens and the \
            continuations are compared), --tokens/--token-file (token ids, for models without a tokenizer). With none \
            of them: the built-in evaluation set (prose, code, dialogue and eight languages, ~3,100 words, plus a \
            dozen prompts and chats; fixtures/eval). Exit 0 PASS, 1 FAIL, 2 error. \
            Default thresholds follow the candidate's lowest-precision weight type (mean KLD / same top token): \
            q2_k 0.40 / 0.65; q3_k 0.20 / 0.75; q4_0, q4_1, iq4_nl, q4_k 0.10 / 0.85; q5_0, q5_1, q5_k 0.04 / 0.90; \
            q6_k 0.02 / 0.93; q8_0 0.01 / 0.95; bf16 0.005 / 0.97; f16 0.001 / 0.98; f32 0.0005 / 0.99; a \
            candidate whose tensors are all bit-identical to the reference must give identical logits. Greedy agreement \
            is judged only with --min-greedy. \
            Encoders (BERT family) are compared by the cosine of each sequence's pooled embedding (the reference's own \
            pooling) and the NMSE of the last hidden states; defaults (min cosine / max NMSE): q2_k 0.85 / 0.3; q3_k \
            0.93 / 0.12; q4_0, q4_1, iq4_nl, q4_k 0.97 / 0.05; q5_0, q5_1, q5_k 0.985 / 0.02; q6_k 0.995 / 0.01; q8_0 \
            0.998 / 0.005; bf16 0.9995 / 0.001; f16 0.99995 / 1e-4; f32 0.999999 / 1e-6.
            """)

    @Argument(help: "The converted or quantized model.") var candidate: String
    @Option(help: "The original model.") var reference: String
    @Option(help: "Token ids, comma separated (one sequence).", transform: TokenSequences.parse) var tokens: [Int]?
    @Option(help: "A file of token sequences: one comma/space separated sequence per line.") var tokenFile: String?
    @Option(help: "An evaluation text (UTF-8 file).") var text: String?
    @Option(help: "Prompts for greedy agreement: one per line (text, or {\"prompt\": …} / {\"messages\": […]}).") var prompts: String?
    @Option(help: "Window length in tokens for --text (capped at the models' context).") var ctx = 512
    @Option(help: "Score at most this many windows of the text.") var chunks: Int?
    @Option(help: "Tokens each model generates greedily per prompt.") var greedyTokens = 32
    @Option(help: "Fail below this share of prompts with identical greedy continuations (0…1).") var minGreedy: Double?
    @Option(help: "Also write a self-contained HTML report to this file.") var report: String?
    @Option(help: "Fail above this mean KL divergence (≥ 0).") var maxKld: Double?
    @Option(help: "Fail below this same-top-token rate (0…1).") var minTop1: Double?
    @Option(help: "Encoders: fail below this cosine of any sequence's pooled embeddings (-1…1).") var minCosine: Double?
    @Option(help: "Encoders: fail above this NMSE of the last hidden states (≥ 0).") var maxHiddenNmse: Double?
    @Flag(help: "Write the verdict into the candidate's metadata (.ingot candidates).") var stamp = false
    @OptionGroup var threads: ThreadOptions
    @OptionGroup var show: OutputOptions

    func validate() throws {
        if tokens != nil, tokenFile != nil { throw ValidationError("--tokens and --token-file cannot be used together") }
        if (tokens != nil || tokenFile != nil), text != nil { throw ValidationError("--text cannot be combined with --tokens/--token-file") }
        if !VerifyRequest.contextRange.contains(ctx) { throw ValidationError("--ctx must be in \(VerifyRequest.contextRange.lowerBound)…\(VerifyRequest.contextRange.upperBound) (got \(ctx))") }
        if !VerifyRequest.greedyTokenRange.contains(greedyTokens) { throw ValidationError("--greedy-tokens must be in \(VerifyRequest.greedyTokenRange.lowerBound)…\(VerifyRequest.greedyTokenRange.upperBound) (got \(greedyTokens))") }
        if let c = chunks, c < 1 { throw ValidationError("--chunks must be at least 1 (got \(c))") }
        if let v = minGreedy, !(v >= 0 && v <= 1) { throw ValidationError("--min-greedy must be in 0…1 (got \(v))") }
        if let v = maxKld, !(v.isFinite && v >= 0) { throw ValidationError("--max-kld must be a finite number ≥ 0 (got \(v))") }
        if let v = minTop1, !(v >= 0 && v <= 1) { throw ValidationError("--min-top1 must be in 0…1 (got \(v))") }
        if let v = minCosine, !(v >= -1 && v <= 1) { throw ValidationError("--min-cosine must be in -1…1 (got \(v))") }
        if let v = maxHiddenNmse, !(v.isFinite && v >= 0) { throw ValidationError("--max-hidden-nmse must be a finite number ≥ 0 (got \(v))") }
    }

    /// Exit 0 PASS, 1 FAIL, 2 when the verification could not run (usage errors exit 64 before this).
    func run() throws {
        do {
            let sequences = try tokens.map { [$0] } ?? tokenFile.map(TokenSequences.read)
            let evalText = try text.map { (name: $0, content: try TextInput.read($0)) }
            let evalPrompts = try prompts.map { try EvaluationPrompt.parseLines(try TextInput.read($0), path: $0) }
            let request = VerifyRequest(candidate: candidate, reference: reference, sequences: sequences, text: evalText,
                                        prompts: evalPrompts, context: ctx, maxWindows: chunks, greedyTokens: greedyTokens,
                                        maxKLD: maxKld, minTop1: minTop1, minGreedy: minGreedy, minCosine: minCosine,
                                        maxHiddenNMSE: maxHiddenNmse, threads: threads.count())
            let result = try ProgressLine.during("verify") { try Verifier.verify(request, progress: $0) }
            for w in result.warnings { writeStderr("ingot: warning: \(w)\n") }
            show.print(result)
            if let report { try result.writeHTML(to: report) }
            if stamp { try Verifier.stamp(result) }
            throw ExitCode(result.verdict.pass ? 0 : 1)
        } catch let e as ExitCode {
            throw e
        } catch {
            writeStderr("ingot: \(error)\n")
            throw ExitCode(2)
        }
    }
}
