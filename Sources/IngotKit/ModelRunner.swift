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
        do { config = try ModelConfig(metadata: source.metadata) } catch let e as ModelConfigError {
            // No config (an npz, an unknown architecture): say where one comes from. A config that is there but
            // wrong (a GGUF rope base of -5) is a bad file, and the hint would mislead.
            switch e {
            case .missingConfig, .unsupportedArchitecture: throw PipelineError.noModelConfig(path: path, reason: "\(e)")
            default: throw FileError(path: path, e)
            }
        }
        // withPath: an error that already names its file (a tensor's checksum) is not prefixed with the path twice.
        let weights = TensorSourceWeights(source: source)
        transformer = try withPath(path) { try Transformer(config: config, weights: weights, threads: threads) }
    }

    public var vocabSize: Int { transformer.config.vocabSize }
    /// An encoder (bert layout): it gives hidden states and embeddings (`encode`, `embed`), not logits.
    public var isEncoder: Bool { !transformer.config.layout.isDecoder }
    /// The model's own sentence pooling (sentence-transformers' modules), else mean pooling without normalisation.
    public func defaultPooling() throws -> Pooling {
        do { return try Pooling(metadata: source.metadata) ?? Pooling(mode: .mean, normalize: false) } catch {
            throw FileError(path: path, error)
        }
    }
    public var maxPositions: Int { transformer.config.maxPositions }
    /// Every dtype the model's tensors are stored in (verification picks its default thresholds by them).
    public var weightTypes: Set<DType> { Set(source.descriptors.map(\.layout.dtype)) }

    /// Next-token logits for every position of `tokens`, from an empty context. `.f32` (the reference) runs the
    /// whole sequence at once; `.q8` runs it token by token through the decoding kernels with 8-bit activations —
    /// the arithmetic llama.cpp uses for block-quantized weights, to compare with it like for like.
    /// `from`: only positions `from…` get logits (`.f32` only; the earlier ones are context).
    public func logits(_ tokens: [Int], activations: DecodeActivations = .f32, from: Int = 0) throws -> Logits {
        guard activations == .q8 else { return try withPath(path) { try transformer.prefill(tokens, logitsFrom: from) } }
        guard !tokens.isEmpty else { return try withPath(path) { try transformer.prefill(tokens) } }
        transformer.reset()
        transformer.decodeActivations = .q8
        defer { transformer.decodeActivations = .f32 }
        var values: [Float] = []
        values.reserveCapacity(tokens.count * vocabSize)
        for (i, t) in tokens.enumerated() {
            values += try withPath(path) { try transformer.step(t) }
            transformer.layerProgress?(i + 1, tokens.count)
        }
        return Logits(positions: tokens.count, vocab: vocabSize, values: values)
    }

    /// An encoder's last hidden states (and pooler output) for one sequence; `tokenTypes` default to 0.
    public func encode(_ tokens: [Int], tokenTypes: [Int]? = nil) throws -> HiddenStates {
        do { return try transformer.encode(tokens, tokenTypes: tokenTypes) } catch { throw FileError(path: path, error) }
    }

    /// A sentence embedding (or, with `.none` pooling, the hidden states): `pooling` nil means the model's own.
    public func embed(_ tokens: [Int], tokenTypes: [Int]? = nil, pooling: Pooling? = nil) throws -> EmbedReport {
        let p = try pooling ?? defaultPooling()
        let h = try encode(tokens, tokenTypes: tokenTypes)
        let values: [Float]
        do { values = try p.apply(h) } catch { throw FileError(path: path, error) }
        return EmbedReport(model: path, tokens: tokens, pooling: p, positions: h.positions, width: h.width, values: values)
    }

    /// The model's tokenizer and chat template, when its metadata carries them (nil otherwise).
    public lazy var text: ModelText? = try? ModelText(path: path, metadata: source.metadata)

    /// Token ids for `text` with the model's own tokenizer (special tokens added as its post-processor says), and
    /// their token types (segment ids, for encoders).
    public func tokenize(_ text: String) throws -> (ids: [Int], types: [Int]) {
        guard let t = self.text else { throw PipelineError.noTokenizer(path: path) }
        let e = t.tokenizer.encode(text, addSpecialTokens: true)
        guard !e.ids.isEmpty else { throw PipelineError.badTokens("(the text gives no tokens)") }
        return (e.ids, e.typeIds)
    }

    /// `logits` with the tokens and the model path, for reports. Progress: layers done of all layers.
    public func run(_ tokens: [Int], activations: DecodeActivations = .f32, progress: ProgressHandler? = nil) throws -> LogitsReport {
        let unit = activations == .q8 ? "token" : "layer"
        transformer.layerProgress = progress.map { p in { done, total in p(done, total, "\(unit) \(done)") } }
        defer { transformer.layerProgress = nil }
        let l = try logits(tokens, activations: activations)
        var names: [Int: String] = [:]
        if let t = text?.tokenizer {
            let shown = Set(tokens).union((0..<l.positions).flatMap { i in LogitsReport.top(5, of: l, at: i).map(\.token) })
            for id in shown { names[id] = t.token(of: id) }
        }
        return LogitsReport(model: path, tokens: tokens, logits: l, tokenText: names)
    }
}
