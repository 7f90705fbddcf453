import IngotVerify

/// A decoder verification on real text: the token stream (the reference's tokenizer), cut into windows of
/// `context` tokens, each scored on its second half; one record per scored position, in stream order.
public struct TextScores: Sendable {
    public struct Position: Sendable, Equatable {
        /// Which window (0-based).
        public let window: Int
        /// Index in `tokens` of the token this position predicts.
        public let offset: Int
        public let score: LogitComparison.PositionScore
    }

    /// Where the text came from: a file path, or "default evaluation set".
    public let source: String
    public let context: Int
    public let windows: Int
    public let tokens: [Int]
    /// The text each token adds (for display: a token that ends inside a character adds nothing, the next one adds
    /// the character), aligned with `tokens`.
    public let pieces: [String]
    public let positions: [Position]
    /// The text of every token that is some position's top token (either model), for showing what each predicted.
    public let topTokenText: [Int: String]
}

/// Greedy continuations of both models for each prompt, and where they part.
public struct GreedyAgreement: Sendable {
    public struct Prompt: Sendable {
        public let label: String
        public let promptIDs: [Int]
        public let reference: [Int]
        public let candidate: [Int]
        public let referenceText: String
        public let candidateText: String
        /// The text each generated token adds (see `TextScores.pieces`), aligned with `reference` / `candidate`.
        public let referencePieces: [String]
        public let candidatePieces: [String]
        /// Index of the first generated token that differs; nil when the continuations are identical.
        public let firstDivergence: Int?
    }

    public let maxTokens: Int
    public let prompts: [Prompt]

    /// The share of prompts whose continuations are identical.
    public var agreement: Double {
        prompts.isEmpty ? 1 : Double(prompts.filter { $0.firstDivergence == nil }.count) / Double(prompts.count)
    }
}
