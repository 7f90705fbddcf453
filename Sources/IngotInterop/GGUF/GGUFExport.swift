import IngotFormat

/// A canonical model as the GGUF v3 file llama.cpp loads (specs/canonical.md §3), laid out the way
/// `convert_hf_to_gguf.py` writes one.
///
/// - llama / qwen2 (`ingot.architecture`): GGUF tensor names; llama's q/k rows permuted per head (k with the kv head
///   count); f32/f16/bf16 as they are; 2-D q8_0/q4_0/q4_1 with group size 32 and q5_0/q5_1/q2_k…q6_k as GGUF's
///   blocks, byte for byte (rows moved whole, never requantized). Other block-quantized tensors — another group size, or not 2-D,
///   which GGUF has no block type for — are written as the exact f32 values their blocks stand for, with a warning:
///   nothing is re-rounded, at the cost of size. `rope_freqs.weight` (first, as the converter writes it) for llama-3
///   rope scaling, computed from `ingot.config.rope_scaling` (its own `original_max_position_embeddings`, unlike the
///   converter's 8192 fallback) or copied exactly from a GGUF source.
/// - Pairs: `general.architecture`, `general.alignment` 32, `<arch>.*` from `ingot.config`, `general.file_type`,
///   `general.quantization_version`, and the tokenizer: from a GGUF-form `ingot.tokenizer`, or converted from
///   Hugging Face's `tokenizer.json` (`GGUFTokenizer.keyValues(fromHF:)`). A GGUF source's `ingot.gguf` is
///   reproduced instead — every pair, in order, with its type — so GGUF → Ingot → GGUF gives the same pairs and
///   tensor bytes back.
/// - Any other architecture goes back to GGUF only if it came from GGUF (`ingot.gguf`): names and pairs untouched.
///
/// This is a view: the plan is made from the source's metadata and descriptors before any tensor is read, and
/// `descriptors` / `load` give the tensors as GGUF stores them, so any `TensorFileWriter` loop feeds them to the
/// `GGUFWriter` that `writer(path:)` makes: `try export.writer(path: out).write(export)`. `warnings` says what the
/// user should know (tensors written as f32, an unconverted tokenizer, …). Errors of the plan are
/// `GGUFCanonicalError`s about the source's content, untagged: the caller names the output.
public final class GGUFExport: TensorSource {
    public let source: any TensorSource
    /// The pairs the GGUF header gets, in order.
    public let keyValues: [GGUFKeyValue]
    public let descriptors: [TensorDescriptor]
    public let warnings: [String]
    private let tensors: [ExactKey: GGUFCanonicalExportPlan.Tensor]
    private let plan: GGUFCanonicalExportPlan

    public var path: String { source.path }
    public var formatName: String { "gguf" }
    public var metadata: JSONObject { source.metadata }
    public var sourceFiles: [(shown: String, path: String)] { source.sourceFiles }

    /// `allowNoTokenizer`: write a model without tokenizer keys (llama.cpp cannot load it) instead of refusing.
    public init(_ source: any TensorSource, allowNoTokenizer: Bool = false) throws {
        let plan = try GGUFCanonicalExportPlan(source: source, allowNoTokenizer: allowNoTokenizer)
        self.source = source
        self.plan = plan
        keyValues = plan.keyValues
        descriptors = plan.tensors.map(\.descriptor)
        warnings = plan.warnings
        tensors = Dictionary(plan.tensors.map { (ExactKey($0.descriptor.name), $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The writer this plan needs: the header holds every pair and tensor info.
    public func writer(path: String) throws -> GGUFWriter {
        try GGUFWriter(path: path, keyValues: keyValues, tensors: descriptors)
    }

    /// llama.cpp's split GGUF (`GGUFSplit`): the tensors cut by `ShardPlan` at `maxShardBytes` into
    /// `stem-00001-of-0000N.gguf` … in `dir`; the first file holds every pair, each file the `split.*` pairs and its
    /// tensors' infos (what `gguf-split --split` writes, and what llama.cpp loads from the first file's path).
    public func splitWriter(dir: String, stem: String, maxShardBytes: Int) throws -> ShardedWriter {
        let plan = try withPath(dir + stem + ".gguf") { try ShardPlan(sizes: descriptors.map(\.layout.byteCount), maxBytes: maxShardBytes) }
        let count = plan.shards.count
        guard count <= GGUFSplit.maxCount else {
            throw FileError(path: dir + stem + ".gguf", GGUFError.badSplitKey("\(count) splits exceed split.count's \(GGUFSplit.maxCount)"))
        }
        let (kvs, tensors) = (keyValues, descriptors)
        return ShardedWriter(path: dir + ShardPlan.fileName(stem: stem, number: 1, count: count, ext: "gguf"), plan: plan,
                             names: tensors.map(\.name), commitAtEnd: true, open: { i in
            let split = GGUFSplit(number: i, count: count, tensors: tensors.count)
            return try GGUFWriter(path: dir + ShardPlan.fileName(stem: stem, number: i + 1, count: count, ext: "gguf"),
                                  keyValues: (i == 0 ? kvs : []) + split.keyValues,
                                  tensors: plan.shards[i].tensors.map { tensors[$0] })
        })
    }

    /// The source tensor a GGUF tensor is made from; nil for one the export makes itself (`rope_freqs.weight`).
    public func sourceName(of name: String) -> String? {
        guard let t = tensors[ExactKey(name)], t.factors == nil else { return nil }
        return t.sourceName
    }

    public func load(_ name: String) throws -> TensorBuffer {
        guard let t = tensors[ExactKey(name)] else { throw FileError(path: path, IngotError.noSuchTensor(name)) }
        return try plan.load(t, from: source)
    }

    public func evict(_ name: String) {
        if let s = sourceName(of: name) { source.evict(s) }
    }
}
