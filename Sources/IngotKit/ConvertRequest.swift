import IngotFamilies
import IngotFormat
import IngotInterop
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
    /// Quantize the tensors this policy selects (.ingot output, or .gguf for GGUF's block types).
    public var quantize: QuantPolicy?
    /// How quantized groups choose their scales.
    public var method: QuantMethod
    /// Replace `output` if it exists (for a directory: the files the conversion writes there).
    public var overwrite: Bool
    /// A GGUF output without a tokenizer (llama.cpp cannot load it) is written with a warning instead of refused.
    public var allowNoTokenizer = false
    /// An importance matrix weighting every quantized tensor's error by its columns' mean squared activation
    /// (`ingot calibrate`, llama-imatrix). Every quantized tensor must have an entry with its row length, unless
    /// `imatrixPartial`.
    public var imatrix: (path: String, matrix: ImportanceMatrix)?
    /// Quantize tensors the importance matrix lacks unweighted, with a warning, instead of refusing.
    public var imatrixPartial = false
    /// The XXH3-64 of the importance-matrix file, for provenance (set by the pipeline when it reads the file).
    public var imatrixHash: String?
    /// Cut the output into shards of at most this many tensor bytes (`ShardPlan`): `stem-00001-of-0000N.ingot` with
    /// `stem.ingot.index.json`, a Hugging Face directory's `model-…safetensors` with its index, or a split GGUF.
    public var maxShardBytes: Int?
    /// Write only the shards of this part of a job array (an .ingot output cut by `maxShardBytes`); the index is
    /// then written by `ShardIndexer` once every part is done.
    public var part: ConvertPart?
    /// Keep shards that already exist whole (same plan, valid header, every checksum proven) instead of refusing them.
    public var resume = false
    /// The output format when the path alone does not say it (an .ingot or GGUF model written into a directory as
    /// shards); nil: by the output's extension, a directory being a Hugging Face directory.
    public var format: OutputFormat?
    /// Per quantized tensor, the importance vector `prepare` matched to it.
    private(set) var importances: [ExactKey: [Float]] = [:]

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
        let byPath = try OutputFormat(path: output)
        let format = self.format ?? byPath
        if format != byPath {
            // Only a directory can hold another format than its path says, and only as shards.
            guard byPath == .hfDirectory, format != .safetensors else { throw .formatDiffersFromPath(output, format) }
            guard maxShardBytes != nil else { throw .directoryNeedsShardSize(format) }
        }
        if let t = dtype, ![.f32, .f16, .bf16].contains(t) { throw .notAFloatType(t) }
        if let c = compression {
            guard format == .ingot else { throw .compressionNeedsIngotOutput(format) }
            guard (1...Limits.maxChunkBytes).contains(c.chunkBytes) else { throw .badChunkSize(c.chunkBytes) }
        }
        if quantize != nil, format != .ingot, format != .gguf { throw .quantizationNeedsIngotOutput(format) }
        if let m = maxShardBytes {
            guard m > 0 else { throw .badShardSize(m) }
            if format == .safetensors { throw .shardsNeedDirectory(output) }
        }
        if part != nil || resume {
            guard maxShardBytes != nil, format == .ingot else { throw .partsNeedIngotShards }
        }
        return format
    }

    /// Readies the request for `source`: the recipe learns the model's layer counts and grouped-query ratio, and
    /// the importance matrix is matched to every tensor that will be quantized. Returns warnings (entries missing
    /// under `imatrixPartial`).
    mutating func prepare(for source: any TensorSource) throws -> [String] {
        guard var policy = quantize else { return [] }
        if policy.recipe != nil {
            let c = try? ModelConfig(metadata: source.metadata)
            let gqa = c.map { $0.numKVHeads > 0 ? $0.numHeads / $0.numKVHeads : 1 } ?? 1
            policy = policy.prepared(names: source.descriptors.map(\.name), gqa: gqa)
            quantize = policy
        }
        guard let (path, m) = imatrix else { return [] }
        if method == .ref { throw PipelineError.importanceNeedsSearch }
        let ggufNames = ModelFamilies.named(source.metadata["ingot.architecture"]?.stringValue ?? "")?.gguf
        var warnings: [String] = []
        var missing: [String] = []
        for d in source.descriptors {
            guard case .quantize = policy.decide(d), let cols = d.layout.shape.last else { continue }
            let entry = m.entry(d.name) ?? ggufNames?.gguf(fromCanonical: d.name).flatMap { m.entry($0.name) }
            guard let entry, let means = entry.meanSquares else {
                // llama-imatrix covers the layer stack only (the output head by request, the token embedding never:
                // it is a lookup, not a product); like llama-quantize, those quantize unweighted without complaint.
                if TensorRole(name: d.name).layer != nil { missing.append(d.name) }
                continue
            }
            guard entry.columns == cols else {
                throw FileError(path: path, ImatrixError.columnMismatch(tensor: entry.name, imatrix: entry.columns, tensorColumns: cols))
            }
            importances[ExactKey(d.name)] = means
        }
        if let first = missing.first {
            guard imatrixPartial else { throw FileError(path: path, ImatrixError.missingTensor(first)) }
            warnings.append("\(path): no importance for \(missing.count) tensor(s) (first \(quoted(first))): quantized unweighted")
        }
        return warnings
    }

    /// The importance vector matched to tensor `name` by `prepare`, nil when unweighted.
    func importance(for name: String) -> [Float]? { importances[ExactKey(name)] }

    /// The options as provenance records them (null when not given).
    var provenanceOptions: JSONObject {
        JSONObject([
            ("dtype", dtype.map { .string($0.rawValue) } ?? .null),
            ("quantize", quantize.map { .string($0.recipe?.rawValue ?? $0.dtype.rawValue) } ?? .null),
            ("group_size", quantize.map { $0.groupSize == QuantPolicy.wholeRow ? .string("row") : .integer($0.groupSize) } ?? .null),
            ("method", quantize == nil ? .null : .string(method.rawValue)),
            ("compress", compression.map { .string("zstd:\($0.level)") } ?? .null),
            ("imatrix", imatrix.map { i in
                .object(JSONObject([
                    ("file", .string(String(i.path.split(separator: "/").last ?? Substring(i.path)))),
                    ("xxh3", imatrixHash.map(JSONValue.string) ?? .null),
                    ("datasets", .array(i.matrix.datasets.map(JSONValue.string))),
                    ("chunks", .integer(i.matrix.chunkCount)),
                    ("entries", .integer(i.matrix.entries.count)),
                ]))
            } ?? .null),
        ])
    }
}

extension CompressionOptions {
    /// zstd at `level` in chunks of `chunkBytes` decoded bytes: `ConvertRequest(compression: .zstd(level: 3))`.
    public static func zstd(level: Int = 3, chunkBytes: Int = Limits.defaultChunkBytes) -> CompressionOptions {
        CompressionOptions(level: level, chunkBytes: chunkBytes)
    }
}
