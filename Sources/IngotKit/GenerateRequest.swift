import IngotFormat
import IngotModel

/// What `Generator.generate` runs: a prompt, how many tokens at most, and how to choose them.
public struct GenerateRequest: Sendable {
    public enum Input: Sendable {
        /// Plain text, tokenized with the special tokens the tokenizer adds (BOS).
        case text(String)
        /// One user turn (and an optional system message) through the model's chat template.
        case chat(user: String, system: String?)
        /// A whole conversation through the chat template (the last turn is answered).
        case messages([JSONValue])
        /// Token ids as they are (models without a tokenizer).
        case tokens([Int])
    }

    public var input: Input
    public var maxTokens: Int
    public var sampling: SamplingOptions
    /// Stop at the model's end-of-sequence / end-of-turn tokens (`ModelText.stopTokenIDs`); false runs to
    /// `maxTokens` (benchmarks, comparisons with a reference that ignores them).
    public var stopAtEndOfTurn: Bool
    /// How decoding steps multiply block-quantized weights: `.q8` (llama.cpp's arithmetic, the default: fast) or
    /// `.f32` (the reference math, as `verify` uses).
    public var activations: DecodeActivations
    /// More token ids that end generation, besides the model's own (with `stopAtEndOfTurn` or without it).
    public var extraStopTokenIDs: [Int] = []

    public static let maxTokenRange = 1...1_000_000

    public init(input: Input, maxTokens: Int = 256, sampling: SamplingOptions = SamplingOptions(), stopAtEndOfTurn: Bool = true,
                activations: DecodeActivations = .q8) {
        self.input = input
        self.activations = activations
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stopAtEndOfTurn = stopAtEndOfTurn
    }
}
