import IngotFormat

/// What can go wrong in a pipeline beyond a bad file (those arrive as `FileError` / `IngotError` naming the file):
/// a request the pipeline cannot carry out. `description` describes the problem, never a command-line flag, so a
/// Swift caller and the CLI read the same sentence.
public enum PipelineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The output path has none of the extensions the converter writes and is not a directory.
    case unknownOutputFormat(path: String)
    /// The output exists and the request does not allow overwriting it.
    case outputExists(path: String)
    /// Compression was asked for an output format that has none.
    case compressionNeedsIngotOutput(OutputFormat)
    /// Quantization was asked for an output format without Ingot's block types.
    case quantizationNeedsIngotOutput(OutputFormat)
    /// The cast type is not a float type.
    case notAFloatType(DType)
    /// Decoded bytes per compressed chunk outside 1...`Limits.maxChunkBytes`.
    case badChunkSize(Int)
    /// A thread count outside `ModelRunner.threadRange`.
    case badThreadCount(Int)
    /// A mean-KLD limit that is negative, NaN or infinite.
    case badMaxKLD(Double)
    /// A same-top-token limit outside [0, 1].
    case badMinTop1(Double)
    /// A greedy-agreement limit outside [0, 1].
    case badMinGreedy(Double)
    /// A verification window outside `VerifyRequest.contextRange`.
    case badContext(Int)
    /// A greedy length outside `VerifyRequest.greedyTokenRange`.
    case badGreedyTokens(Int)
    /// A window cap below 1.
    case badMaxWindows(Int)
    /// A text gives too few tokens to score (two at least).
    case textTooShort(tokens: Int)
    /// An embedding-cosine limit outside [-1, 1].
    case badMinCosine(Double)
    /// A hidden-state NMSE limit that is negative, NaN or infinite.
    case badMaxHiddenNMSE(Double)
    /// A verification of an encoder against a decoder (or the other way round).
    case kindsDiffer(reference: String, candidate: String)
    /// Token ids that are not a list of non-negative integers (the text, shortened).
    case badTokens(String)
    /// A verification without a single token sequence (an empty list, or an empty token file).
    case noSequences
    /// A token id the reference model has no embedding for.
    case tokenOutsideVocabulary(token: Int, vocab: Int)
    /// The two models of a verification have different vocabularies.
    case vocabulariesDiffer(reference: Int, candidate: Int)
    /// A sequence longer than the model's context.
    case sequenceTooLong(tokens: Int, maxPositions: Int)
    /// The model has no config the forward pass can use.
    case noModelConfig(path: String, reason: String)
    /// Only Ingot files carry a verification stamp.
    case stampNeedsIngotFile(path: String)
    /// The model carries no tokenizer (no `ingot.tokenizer`): text cannot be turned into ids.
    case noTokenizer(path: String)
    /// A verification needs text (the default evaluation set, or a text file) but the reference has no tokenizer.
    case textNeedsTokenizer(path: String)
    /// The model has no chat template and none was given.
    case noChatTemplate(path: String)
    /// A sampling option out of range (the problem, as `SamplingOptions.problem` words it).
    case badSampling(String)
    /// A generation length outside `GenerateRequest.maxTokenRange`.
    case badMaxTokens(Int)
    /// A generation prompt that gives no tokens.
    case emptyPrompt
    /// The model is an encoder: it has no next-token logits to generate from.
    case encoderCannotGenerate(path: String)
    /// A tensor planned as quantized could not be (a scale beyond f16) in an output whose header was written.
    case quantizerRefused(tensor: String, reason: String)
    /// Importance weights need the search method (the reference quantizer has no error to weight).
    case importanceNeedsSearch
    /// Calibration runs a decoder's forward pass; encoders have no importance matrix in llama.cpp's sense.
    case calibrationNeedsDecoder(path: String)
    /// Calibration without a text or token file.
    case noCalibrationInput
    /// A shard size below one byte.
    case badShardSize(Int)
    /// Sharded safetensors are written as a Hugging Face directory, not beside a single-file name.
    case shardsNeedDirectory(String)
    /// An explicit output format that contradicts the output's extension.
    case formatDiffersFromPath(String, OutputFormat)
    /// An .ingot or GGUF model goes into a directory only as shards.
    case directoryNeedsShardSize(OutputFormat)
    /// Parts of a job array and resuming are for sharded .ingot outputs.
    case partsNeedIngotShards
    /// A broken invariant of the pipeline itself (a bug, not a bad input).
    case internalError(String)

    public var description: String {
        switch self {
        case let .unknownOutputFormat(p): "\(p): cannot tell the output format (use a .ingot, .safetensors or .gguf extension, or a directory path ending in /)"
        case let .outputExists(p): "\(p): already exists"
        case let .compressionNeedsIngotOutput(f): "compression needs an .ingot output: \(f.rawValue) has no compression"
        case let .quantizationNeedsIngotOutput(f):
            "quantization needs an .ingot or .gguf output (\(f.rawValue) has no block types)"
        case let .notAFloatType(t): "tensors can only be cast to f32, f16 or bf16 (got \(t.rawValue))"
        case let .badChunkSize(n): "the compressed chunk size must be in 1...\(Limits.maxChunkBytes) bytes (got \(n))"
        case let .badThreadCount(n): "the thread count must be in \(ModelRunner.threadRange) (got \(n))"
        case let .badMaxKLD(v): "the mean KLD limit must be a finite number ≥ 0 (got \(v))"
        case let .badMinTop1(v): "the same-top-token limit must be in [0, 1] (got \(v))"
        case let .badMinGreedy(v): "the greedy-agreement limit must be in [0, 1] (got \(v))"
        case let .badContext(n): "the window must be in \(VerifyRequest.contextRange) tokens (got \(n))"
        case let .badGreedyTokens(n): "the greedy length must be in \(VerifyRequest.greedyTokenRange) tokens (got \(n))"
        case let .badMaxWindows(n): "the number of windows must be at least 1 (got \(n))"
        case let .textTooShort(n): "the evaluation text gives \(n) tokens; at least 2 are needed"
        case let .badMinCosine(v): "the embedding cosine limit must be in [-1, 1] (got \(v))"
        case let .badMaxHiddenNMSE(v): "the hidden-state NMSE limit must be a finite number ≥ 0 (got \(v))"
        case let .kindsDiffer(r, c): "the reference is \(r) but the candidate is \(c)"
        case let .badTokens(s): "tokens must be non-negative integers separated by commas (got \(quoted(s)))"
        case .noSequences: "no token sequences to run"
        case let .tokenOutsideVocabulary(t, v): "token id \(t) is outside the vocabulary (\(v))"
        case let .vocabulariesDiffer(r, c): "vocabularies differ: reference \(r), candidate \(c)"
        case let .sequenceTooLong(n, m): "a sequence of \(n) tokens exceeds the candidate's \(m) positions"
        case let .noModelConfig(p, why):
            "\(p): \(why) — the forward pass needs a model config: convert from a Hugging Face directory or a GGUF file"
        case let .stampNeedsIngotFile(p): "\(p): only an .ingot candidate can carry a verification stamp"
        case let .noTokenizer(p): "\(p): the model has no tokenizer (convert it from a directory with tokenizer.json, or a GGUF with tokenizer.ggml.* keys)"
        case let .textNeedsTokenizer(p):
            "\(p): the reference has no tokenizer, so it cannot read the evaluation text — give token ids instead"
        case let .noChatTemplate(p): "\(p): the model has no chat template (give one as a Jinja file)"
        case let .badSampling(why): "bad sampling option: \(why)"
        case let .badMaxTokens(n): "the number of tokens to generate must be in \(GenerateRequest.maxTokenRange) (got \(n))"
        case .emptyPrompt: "the prompt gives no tokens"
        case let .encoderCannotGenerate(p): "\(p): an encoder model has no next-token logits to generate from (use embed)"
        case let .quantizerRefused(t, why):
            "tensor \(quoted(t)) cannot be quantized (\(why)); keep it in float with --keep, or write an .ingot"
        case .importanceNeedsSearch: "--imatrix needs --method search (ref is ggml's unweighted reference quantizer)"
        case let .calibrationNeedsDecoder(p): "\(p): calibration needs a decoder model (llama, qwen2, gpt2); this one is an encoder"
        case .noCalibrationInput: "calibration needs a text file (--text) or a token file (--token-file)"
        case let .badShardSize(n): "the shard size must be at least 1 byte (got \(n))"
        case let .shardsNeedDirectory(p): "\(p): sharded safetensors go in a Hugging Face directory (an output ending in /)"
        case let .formatDiffersFromPath(p, f): "\(p): the path says another format than \(f.rawValue)"
        case let .directoryNeedsShardSize(f): "a \(f.rawValue) model goes into a directory as shards: give a shard size"
        case .partsNeedIngotShards: "parts and resuming need a sharded .ingot output (a shard size and an .ingot path or directory)"
        case let .internalError(why): "internal error: \(why)"
        }
    }
}
