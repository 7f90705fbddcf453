/// What `Verifier.verify` compares: `candidate` (a converted or quantized model) against `reference` (the original),
/// both run on the same inputs.
///
/// Inputs, for decoders: a text (tokenized with the reference's tokenizer, cut into windows of `context` tokens,
/// each scored on its second half like llama.cpp's perplexity), prompts (both models continue each greedily and the
/// continuations are compared; without a text, the prompts' own tokens are scored too), and/or token sequences
/// (models without a tokenizer). With none of them, the default evaluation set (`DefaultEvaluationSet`: its text and
/// its prompts) is used, which needs a reference with a tokenizer. For encoders, the text's non-blank lines and the
/// prompts are sentences, each embedded on its own.
public struct VerifyRequest: Sendable {
    public var candidate: String
    public var reference: String
    /// Token sequences to run (every position scored).
    public var sequences: [[Int]]?
    /// An evaluation text and where it came from.
    public var text: (name: String, content: String)?
    /// Prompts for greedy agreement.
    public var prompts: [EvaluationPrompt]?
    /// Window length for the text, in tokens (capped at both models' context).
    public var context: Int
    /// Use at most this many windows of the text (nil: all).
    public var maxWindows: Int?
    /// Greedy tokens generated per prompt by each model.
    public var greedyTokens: Int
    /// Fail above this mean KL divergence; nil: the default for the candidate's weight types.
    public var maxKLD: Double?
    /// Fail below this same-top-token rate (0…1); nil: the default for the candidate's weight types.
    public var minTop1: Double?
    /// Fail below this share of prompts with identical greedy continuations (0…1); nil: not judged.
    public var minGreedy: Double?
    /// Encoders: fail below this cosine of a sequence's pooled embeddings ([-1, 1]); nil: the default.
    public var minCosine: Double?
    /// Encoders: fail above this NMSE of the last hidden states (≥ 0); nil: the default.
    public var maxHiddenNMSE: Double?
    /// Threads for the forward passes (`ModelRunner.threadRange`).
    public var threads: Int

    public static let contextRange = 4...1_048_576
    public static let greedyTokenRange = 1...4096

    public init(candidate: String, reference: String, sequences: [[Int]]? = nil, text: (name: String, content: String)? = nil,
                prompts: [EvaluationPrompt]? = nil, context: Int = 512, maxWindows: Int? = nil, greedyTokens: Int = 32,
                maxKLD: Double? = nil, minTop1: Double? = nil, minGreedy: Double? = nil, minCosine: Double? = nil,
                maxHiddenNMSE: Double? = nil, threads: Int = 1) {
        self.candidate = candidate
        self.reference = reference
        self.sequences = sequences
        self.text = text
        self.prompts = prompts
        self.context = context
        self.maxWindows = maxWindows
        self.greedyTokens = greedyTokens
        self.maxKLD = maxKLD
        self.minTop1 = minTop1
        self.minGreedy = minGreedy
        self.minCosine = minCosine
        self.maxHiddenNMSE = maxHiddenNMSE
        self.threads = threads
    }

    /// True when no input was given: the default evaluation set is used.
    public var usesDefaultSet: Bool { sequences == nil && text == nil && prompts == nil }

    /// Refuses limits and inputs no verification could use, before any model is opened.
    func validate() throws(PipelineError) {
        guard ModelRunner.threadRange.contains(threads) else { throw .badThreadCount(threads) }
        if let v = maxKLD, !(v.isFinite && v >= 0) { throw .badMaxKLD(v) }
        if let v = minTop1, !(v >= 0 && v <= 1) { throw .badMinTop1(v) }
        if let v = minGreedy, !(v >= 0 && v <= 1) { throw .badMinGreedy(v) }
        if let v = minCosine, !(v >= -1 && v <= 1) { throw .badMinCosine(v) }
        if let v = maxHiddenNMSE, !(v.isFinite && v >= 0) { throw .badMaxHiddenNMSE(v) }
        guard Self.contextRange.contains(context) else { throw .badContext(context) }
        guard Self.greedyTokenRange.contains(greedyTokens) else { throw .badGreedyTokens(greedyTokens) }
        if let w = maxWindows, w < 1 { throw .badMaxWindows(w) }
        if let s = sequences {
            guard !s.isEmpty else { throw .noSequences }
            for seq in s where seq.isEmpty || seq.contains(where: { $0 < 0 }) { throw .badTokens(seq.map(String.init).joined(separator: ",")) }
        }
        if let p = prompts, p.isEmpty { throw .noSequences }
    }
}
