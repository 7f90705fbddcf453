import IngotFormat
import IngotQuant

/// What `Converter.convert` does: read `source` (any format `openModelSource` accepts), optionally cast, quantize
/// and compress, and write `output` (.ingot, .safetensors or .gguf, by extension; a Hugging Face directory for a path
/// ending in `/` or an existing directory).
public struct ConvertRequest: Sendable {
    public var source: String
    public var output: String
    /// Cast to this type (f32, f16 or bf16; round to nearest even, NaN/Inf kept), the same for every output: float
    /// tensors are cast, quantized ones dequantized first; nil keeps every tensor's type (blocks stay blocks where the
    /// output has them).
    public var dtype: DType?
    /// Compress an .ingot output's tensors (those that do not shrink stay raw).
    public var compression: CompressionOptions?
    /// Quantize the tensors this policy selects (.ingot output only).
    public var quantize: QuantPolicy?
    /// How quantized groups choose their scales.
    public var method: QuantMethod
    /// Replace `output` if it exists (for a directory: the files the conversion writes there).
    public var overwrite: Bool
    /// A GGUF output without a tokenizer (llama.cpp cannot load it) is written with a warning instead of refused.
    public var allowNoTokenizer = false

    public init(source: String, output: String, dtype: DType? = nil, compression: CompressionOptions? = nil,
                quantize: QuantPolicy? = nil, method: QuantMethod = .search, overwrite: Bool = false) {
        self.source = source
        self.output = output
        self.dtype = dtype
        self.compression = compression
        self.quantize = quantize
        self.method = method
        self.overwrite = overwrite
    }

    /// The output format, once the request is known to be one the converter can carry out.
    func validated() throws(PipelineError) -> OutputFormat {
        let format = try OutputFormat(path: output)
        if let t = dtype, ![.f32, .f16, .bf16].contains(t) { throw .notAFloatType(t) }
        if let c = compression {
            guard format == .ingot else { throw .compressionNeedsIngotOutput(format) }
            guard (1...Limits.maxChunkBytes).contains(c.chunkBytes) else { throw .badChunkSize(c.chunkBytes) }
        }
        if quantize != nil, format != .ingot { throw .quantizationNeedsIngotOutput(format) }
        return format
    }

    /// The options as provenance records them (null when not given).
    var provenanceOptions: JSONObject {
        JSONObject([
            ("dtype", dtype.map { .string($0.rawValue) } ?? .null),
            ("quantize", quantize.map { .string($0.dtype.rawValue) } ?? .null),
            ("group_size", quantize.map { $0.groupSize == QuantPolicy.wholeRow ? .string("row") : .integer($0.groupSize) } ?? .null),
            ("method", quantize == nil ? .null : .string(method.rawValue)),
            ("compress", compression.map { .string("zstd:\($0.level)") } ?? .null),
        ])
    }
}

extension CompressionOptions {
    /// zstd at `level` in chunks of `chunkBytes` decoded bytes: `ConvertRequest(compression: .zstd(level: 3))`.
    public static func zstd(level: Int = 3, chunkBytes: Int = Limits.defaultChunkBytes) -> CompressionOptions {
        CompressionOptions(level: level, chunkBytes: chunkBytes)
    }
}
