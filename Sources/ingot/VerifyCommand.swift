import ArgumentParser
import IngotFormat
import IngotInterop
import IngotModel
import IngotVerify
#if canImport(Glibc)
import Glibc
#endif

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Does CANDIDATE still compute what REFERENCE does? KL divergence, top-token agreement, perplexity, worst tensors.",
        discussion: """
            Runs both models' reference forward pass on the same token sequences (default: 4 deterministic sequences \
            of up to 64 tokens) and compares their next-token distributions. Exit 0 PASS, 1 FAIL, 2 error. \
            Default thresholds follow the candidate's lowest-precision weight type (mean KLD / same top token): \
            q4_0, q4_1 0.10 / 0.85; q8_0 0.01 / 0.95; bf16 0.005 / 0.97; f16 0.001 / 0.98; f32 0.0005 / 0.99; a \
            candidate whose tensors are all bit-identical to the reference must give identical logits.
            """)

    @Argument(help: "The converted or quantized model.") var candidate: String
    @Option(help: "The original model.") var reference: String
    @Option(help: "Token ids, comma separated (one sequence).") var tokens: String?
    @Option(help: "A file of token sequences: one comma/space separated sequence per line.") var tokenFile: String?
    @Option(help: "Fail above this mean KL divergence.") var maxKld: Double?
    @Option(help: "Fail below this same-top-token rate (0…1).") var minTop1: Double?
    @Flag(help: "Print JSON for CI pipelines.") var json = false
    @Flag(help: "Write the verdict into the candidate's metadata (.ingot candidates).") var stamp = false
    @Option(help: "BLAS threads.") var threads: Int = 1

    func run() throws {
        do {
            let report = try Verification.run(candidate: candidate, reference: reference, sequences: try sequences(),
                                              maxKLD: maxKld, minTop1: minTop1, threads: threads)
            print(json ? report.json.description : report.text)
            if stamp { try report.stamp(candidate) }
            throw ExitCode(report.verdict.pass ? 0 : 1)
        } catch let e as ExitCode {
            throw e
        } catch {
            writeStderr("ingot: \(error)\n")
            throw ExitCode(2)
        }
    }

    func sequences() throws -> [[Int]]? {
        if let tokens { return [try parseTokens(tokens)] }
        guard let tokenFile else { return nil }
        let text = try withPath(tokenFile) { () throws -> String in
            let f = try MappedFile(path: tokenFile)
            return String(decoding: f.bytes, as: UTF8.self)
        }
        let lines = text.split(separator: "\n").filter { $0.contains { !$0.isWhitespace } }
        guard !lines.isEmpty else { throw CLIError("\(tokenFile): no token sequences") }
        return try lines.map { try parseTokens(String($0)) }
    }
}
