import ArgumentParser
import IngotKit
import IngotModel

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Run an encoder (BERT family): a sentence embedding, or the hidden states as .npy.",
        discussion: """
            Without --pool, the model's own sentence-transformers pooling and normalisation (modules.json, \
            1_Pooling/config.json) when it has them, else mean pooling. --pool none gives the last hidden states [T, hidden].
            """)

    @Argument(help: "An encoder: Hugging Face directory, .ingot, .safetensors …") var model: String
    @OptionGroup var input: InputOptions
    @Option(help: "Token type (segment) ids, comma separated, one per token (default all 0).", transform: TokenSequences.parse)
    var tokenTypes: [Int]?
    @Option(help: "none, mean, cls, max or pooler (BertModel's dense + tanh).") var pool: Pooling.Mode?
    @Flag(help: "Scale the result to unit L2 norm.") var normalize = false
    @Option(name: .shortAndLong, help: "Write the f32 result to this .npy file.") var output: String?
    @Flag(help: "Overwrite the output file if it exists.") var force = false
    @OptionGroup var threads: ThreadOptions
    @OptionGroup var show: OutputOptions

    func validate() throws {
        if let t = tokenTypes {
            guard let tokens = input.tokens else { throw ValidationError("--token-types goes with --tokens (--text gives its own types)") }
            guard t.count == tokens.count else { throw ValidationError("--token-types needs one id per token (\(tokens.count)), got \(t.count)") }
        }
    }

    func run() throws {
        let runner = try ModelRunner(path: model, threads: threads.count())
        var pooling = try pool.map { Pooling(mode: $0, normalize: false) } ?? runner.defaultPooling()
        if normalize { pooling.normalize = true }
        let (ids, types) = try input.ids(runner)
        let report = try runner.embed(ids, tokenTypes: tokenTypes ?? types, pooling: pooling)
        guard let output else { return show.print(report) }
        try report.writeNpy(to: output, overwrite: force)
        print("wrote \(output): \(report.pooling.mode == .none ? "hidden states" : "embedding") \(Fmt.shape(report.shape))")
    }
}

extension Pooling.Mode: ExpressibleByArgument {}

extension EmbedReport: Rendered {
    /// Dimension, norm and the first values (the full result goes to .npy).
    var text: String {
        let head = values.prefix(8).map { Fmt.fixed(Double($0), 5) }.joined(separator: ", ")
        let what = pooling.mode == .none ? "hidden states" : "embedding (\(pooling.mode.rawValue)\(pooling.normalize ? ", normalized" : ""))"
        return "\(what) \(Fmt.shape(shape)) of \(tokens.count) tokens, norm \(Fmt.num(norm))\nfirst values: [\(head)\(values.count > 8 ? ", …" : "")]"
    }
}
