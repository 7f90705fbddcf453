/// What `Calibrator.calibrate` does: run `model`'s reference forward pass over calibration text (or token ids) in
/// windows of `context` tokens and collect each weight matrix's importance (`ImportanceMatrix`).
public struct CalibrateRequest: Sendable {
    public var model: String
    /// The calibration text file (tokenized with the model's own tokenizer).
    public var textFile: String?
    /// Or token ids: one sequence per line (`TokenSequences.read`), for models without a tokenizer.
    public var tokenFile: String?
    /// Tokens per window (capped at the model's context length); llama-imatrix's default is 512.
    public var context: Int
    /// At most this many windows (all of the text when nil).
    public var maxChunks: Int?
    public var threads: Int

    public init(model: String, textFile: String? = nil, tokenFile: String? = nil, context: Int = 512, maxChunks: Int? = nil,
                threads: Int = 1) {
        self.model = model
        self.textFile = textFile
        self.tokenFile = tokenFile
        self.context = context
        self.maxChunks = maxChunks
        self.threads = threads
    }
}
