import IngotFamilies
import IngotFormat
import IngotInterop
import IngotModel

/// Opens a model (any importable source carrying `ingot.config`) for the reference forward pass, with
/// block-quantized weights dequantized one matrix at a time.
///
/// Not thread-safe: the forward pass owns its cache and scratch buffers.
public final class ModelRunner {
    /// BLAS threads a forward pass may use. Results are deterministic for a given count.
    public static let threadRange = 1...256

    public let path: String
    let source: any TensorSource
    let transformer: Transformer

    public init(path: String, threads: Int = 1) throws {
        guard Self.threadRange.contains(threads) else { throw PipelineError.badThreadCount(threads) }
        self.path = path
        source = try openModelSource(path: path)
        let config: ModelConfig
        do { config = try ModelConfig(metadata: source.metadata) } catch {
            throw PipelineError.noModelConfig(path: path, reason: "\(error)")
        }
        // withPath: an error that already names its file (a tensor's checksum) is not prefixed with the path twice.
        let weights = TensorSourceWeights(source: source)
        transformer = try withPath(path) { try Transformer(config: config, weights: weights, threads: threads) }
    }

    public var vocabSize: Int { transformer.config.vocabSize }
    public var maxPositions: Int { transformer.config.maxPositions }
    /// Every dtype the model's tensors are stored in (verification picks its default thresholds by them).
    public var weightTypes: Set<DType> { Set(source.descriptors.map(\.layout.dtype)) }

    /// Next-token logits for every position of `tokens`, from an empty context.
    public func logits(_ tokens: [Int]) throws -> Logits {
        try withPath(path) { try transformer.prefill(tokens) }
    }

    /// `logits` with the tokens and the model path, for reports.
    public func run(_ tokens: [Int]) throws -> LogitsReport {
        LogitsReport(model: path, tokens: tokens, logits: try logits(tokens))
    }
}
