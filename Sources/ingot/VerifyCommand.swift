import ArgumentParser
import IngotKit

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Does CANDIDATE still compute what REFERENCE does? KL divergence, top-token agreement, perplexity (encoders: embedding cosine), worst tensors.",
        discussion: """
            Runs both models' reference forward pass on the same token sequences (default: 4 deterministic sequences \
            of up to 64 tokens) and compares their next-token distributions. Exit 0 PASS, 1 FAIL, 2 error. \
            Default thresholds follow the candidate's lowest-precision weight type (mean KLD / same top token): \
            q4_0, q4_1 0.10 / 0.85; q8_0 0.01 / 0.95; bf16 0.005 / 0.97; f16 0.001 / 0.98; f32 0.0005 / 0.99; a \
            candidate whose tensors are all bit-identical to the reference must give identical logits. \
            Encoders (BERT family) are compared by the cosine of each sequence's pooled embedding (the reference's own \
            pooling) and the NMSE of the last hidden states; defaults (min cosine / max NMSE): q4_0, q4_1 0.97 / 0.05; \
            q8_0 0.998 / 0.005; bf16 0.9995 / 0.001; f16 0.99995 / 1e-4; f32 0.999999 / 1e-6.
            """)

    @Argument(help: "The converted or quantized model.") var candidate: String
    @Option(help: "The original model.") var reference: String
    @Option(help: "Token ids, comma separated (one sequence).", transform: TokenSequences.parse) var tokens: [Int]?
    @Option(help: "A file of token sequences: one comma/space separated sequence per line.") var tokenFile: String?
    @Option(help: "Fail above this mean KL divergence (≥ 0).") var maxKld: Double?
    @Option(help: "Fail below this same-top-token rate (0…1).") var minTop1: Double?
    @Option(help: "Encoders: fail below this cosine of any sequence's pooled embeddings (-1…1).") var minCosine: Double?
    @Option(help: "Encoders: fail above this NMSE of the last hidden states (≥ 0).") var maxHiddenNmse: Double?
    @Flag(help: "Write the verdict into the candidate's metadata (.ingot candidates).") var stamp = false
    @OptionGroup var threads: ThreadOptions
    @OptionGroup var show: OutputOptions

    func validate() throws {
        if tokens != nil, tokenFile != nil { throw ValidationError("--tokens and --token-file cannot be used together") }
        if let v = maxKld, !(v.isFinite && v >= 0) { throw ValidationError("--max-kld must be a finite number ≥ 0 (got \(v))") }
        if let v = minTop1, !(v >= 0 && v <= 1) { throw ValidationError("--min-top1 must be in 0…1 (got \(v))") }
        if let v = minCosine, !(v >= -1 && v <= 1) { throw ValidationError("--min-cosine must be in -1…1 (got \(v))") }
        if let v = maxHiddenNmse, !(v.isFinite && v >= 0) { throw ValidationError("--max-hidden-nmse must be a finite number ≥ 0 (got \(v))") }
    }

    /// Exit 0 PASS, 1 FAIL, 2 when the verification could not run (usage errors exit 64 before this).
    func run() throws {
        do {
            let sequences = try tokens.map { [$0] } ?? tokenFile.map(TokenSequences.read)
            let request = VerifyRequest(candidate: candidate, reference: reference, sequences: sequences, maxKLD: maxKld,
                                        minTop1: minTop1, minCosine: minCosine, maxHiddenNMSE: maxHiddenNmse,
                                        threads: threads.count())
            let report = try ProgressLine.during("verify") { try Verifier.verify(request, progress: $0) }
            show.print(report)
            if stamp { try Verifier.stamp(report) }
            throw ExitCode(report.verdict.pass ? 0 : 1)
        } catch let e as ExitCode {
            throw e
        } catch {
            writeStderr("ingot: \(error)\n")
            throw ExitCode(2)
        }
    }
}
