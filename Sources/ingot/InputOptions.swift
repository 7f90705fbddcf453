import ArgumentParser
import IngotKit

/// A model's input for `logits` and `embed`: token ids, or a text the model's own tokenizer encodes (with the special
/// tokens its post-processor adds: BOS, [CLS] … [SEP]).
struct InputOptions: ParsableArguments {
    @Option(help: "Token ids, comma separated.", transform: TokenSequences.parse) var tokens: [Int]?
    @Option(help: "A text, tokenized with the model's own tokenizer.") var text: String?

    func validate() throws {
        if (tokens == nil) == (text == nil) { throw ValidationError("give exactly one of --tokens and --text") }
    }

    /// The ids, and the token types the tokenizer gave (nil for --tokens).
    func ids(_ runner: ModelRunner) throws -> (ids: [Int], types: [Int]?) {
        if let tokens { return (tokens, nil) }
        let (ids, types) = try runner.tokenize(text ?? "")
        return (ids, types)
    }
}
