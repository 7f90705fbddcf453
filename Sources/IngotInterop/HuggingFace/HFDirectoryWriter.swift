import IngotFormat
#if canImport(Glibc)
import Glibc
#endif

/// Writes a Hugging Face model directory that `from_pretrained` (transformers, sentence-transformers) and
/// `HFDirectory` load: `model.safetensors` streamed through a `SafetensorsWriter` (the metadata without Ingot's own
/// `ingot.*` keys, plus `format: pt` as `save_pretrained` writes it: transformers refuses safetensors metadata
/// without a format it knows), and the side files `HFSideFiles` rebuilds from the `ingot.*` keys. Dropping the
/// writer unfinished is an abort.
///
/// Every file appears atomically (`AtomicFile`): the side files are written unnamed at `finish` and committed
/// before the weights, so a `model.safetensors` this writer put in place always has its config beside it. The
/// directory (and its parents) is created when absent, and removed again on `abort` if it is still empty. Without
/// `overwrite`, any file the export would write that already exists is refused; a sharded-weights index, which
/// loaders would read instead of `model.safetensors`, is refused always.
public final class HFDirectoryWriter: TensorFileWriter {
    public static let weightsName = "model.safetensors"

    /// The directory.
    public let path: String
    /// Every file the writer puts in place (full paths), the weights last.
    public let files: [String]
    /// What could not be rebuilt (no config.json, a GGUF tokenizer).
    public let warnings: [String]
    private let dir: String
    /// `model.safetensors`, or the shards and their index.
    private let weights: any TensorFileWriter
    private let side: HFSideFiles
    /// Directories this writer made, deepest last: `abort` removes them while they are empty.
    private var created: [String] = []
    private var finished = false

    /// `maxShardBytes`: cut the weights into `model-0000x-of-0000N.safetensors` by `ShardPlan` (tensor order and
    /// size, as transformers' `save_pretrained(max_shard_size=)` does) with `model.safetensors.index.json`, written
    /// last: a loader that finds the index finds every shard and the config beside it.
    public init(path: String, metadata: JSONObject, tensors: [TensorDescriptor], overwrite: Bool = false,
                maxShardBytes: Int? = nil) throws {
        let dir = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        let side = try withPath(path) { try HFSideFiles(metadata: metadata) }
        let plan = try maxShardBytes.map { m in try withPath(path) { try ShardPlan(sizes: tensors.map(\.layout.byteCount), maxBytes: m) } }
        let weightNames = plan.map { p in p.shards.indices.map { Self.shardName($0, of: p.shards.count) } + [Self.indexName] }
            ?? [Self.weightsName]
        let names = side.files.map(\.name) + weightNames
        // Loaders read an index instead of model.safetensors and model.safetensors instead of an index's shards
        // (transformers looks for model.safetensors first): either left beside the other would shadow the export.
        let shadowing = plan == nil ? ["model.safetensors.index.json", "pytorch_model.bin.index.json"] : [Self.weightsName, "pytorch_model.bin.index.json"]
        for other in shadowing where access(dir + "/" + other, F_OK) == 0 {
            throw FileError(path: dir, HFExportError.shadowingIndex(other))
        }
        if !overwrite, let existing = names.first(where: { access(dir + "/" + $0, F_OK) == 0 }) {
            throw FileError(path: dir + "/" + existing, HFExportError.fileExists)
        }
        self.path = path
        self.dir = dir
        self.side = side
        files = names.map { dir + "/" + $0 }
        warnings = side.warnings
        created = try Self.makeDirectory(dir)
        let weightsMeta = Self.weightsMetadata(metadata)
        do {
            if let plan {
                let count = plan.shards.count
                let index = Self.shardIndex(tensors: tensors, plan: plan)
                weights = ShardedWriter(path: dir + "/" + Self.indexName, plan: plan, names: tensors.map(\.name), commitAtEnd: true, open: { i in
                    let list = plan.shards[i].tensors.map { tensors[$0] }
                    return try SafetensorsWriter(path: dir + "/" + Self.shardName(i, of: count), metadata: weightsMeta, tensors: list)
                }, afterAll: {
                    let f = try PendingFile(path: dir + "/" + Self.indexName)
                    try f.step { try $0.write(index) }
                    try f.commit()
                })
            } else {
                weights = try SafetensorsWriter(path: dir + "/" + Self.weightsName, metadata: weightsMeta, tensors: tensors)
            }
        } catch {
            Self.remove(created)
            throw error
        }
    }

    public static let indexName = "model.safetensors.index.json"

    static func shardName(_ i: Int, of count: Int) -> String {
        ShardPlan.fileName(stem: "model", number: i + 1, count: count, ext: "safetensors")
    }

    /// `model.safetensors.index.json` as `save_pretrained` writes it: the tensor bytes in `metadata.total_size`
    /// and each tensor's shard in `weight_map`.
    static func shardIndex(tensors: [TensorDescriptor], plan: ShardPlan) -> [UInt8] {
        let count = plan.shards.count
        var map = JSONObject()
        for (i, d) in tensors.enumerated() { map[d.name] = .string(shardName(plan.shardOfTensor[i], of: count)) }
        let total = tensors.reduce(Int64(0)) { $0 &+ Int64($1.layout.byteCount) }
        let root = JSONValue.object(JSONObject([
            ("metadata", .object(JSONObject([("total_size", .int(total))]))), ("weight_map", .object(map)),
        ]))
        return Array(((try? JSONWriter.encode(root, indent: 2)) ?? "{}").utf8) + [0x0A]
    }

    /// What `model.safetensors` keeps of a source's metadata: no `ingot.*` keys (config, tokenizer, provenance live
    /// in the side files or nowhere) and a `format` key (see above).
    static func weightsMetadata(_ meta: JSONObject) -> JSONObject {
        var foreign = SafetensorsWriter.foreignMetadata(meta)
        if foreign["format"] == nil { foreign["format"] = .string("pt") }
        return foreign
    }

    public func append(_ d: TensorDescriptor, bytes: UnsafeRawBufferPointer) throws {
        do { try weights.append(d, bytes: bytes) } catch {
            abort()
            throw error
        }
    }

    public func finish() throws {
        guard !finished else { throw FileError(path: path, TensorWriteError.closed(committed: true)) }
        do {
            var pending: [PendingFile] = []
            for (name, bytes) in side.files {
                if let slash = name.lastIndex(of: "/") { created += try Self.makeDirectory(dir + "/" + name[..<slash]) }
                let f = try PendingFile(path: dir + "/" + name)
                try f.step { try $0.write(bytes) }
                pending.append(f)
            }
            for f in pending { try f.commit() }
            try weights.finish()
            finished = true
        } catch {
            abort()
            throw error
        }
    }

    /// Abandons the weights (and any side file not yet committed); directories this writer made go if empty.
    public func abort() {
        guard !finished else { return }
        weights.abort()
        Self.remove(created)
        created = []
    }

    deinit { abort() }

    /// Creates `dir` and any missing parents (like `mkdir -p`); returns the ones it made, outermost first.
    public static func makeDirectory(_ dir: String) throws -> [String] {
        var missing: [String] = []
        var p = dir
        while !p.isEmpty, p != "/" {
            var st = stat()
            if stat(p, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else { throw FileError(path: p, HFExportError.notADirectory) }
                break
            }
            missing.append(p)
            guard let slash = p.lastIndex(of: "/") else { break }
            p = String(p[..<slash])
        }
        var made: [String] = []
        for d in missing.reversed() {
            if mkdir(d, 0o777) == 0 {
                made.append(d)
            } else if errno != EEXIST {  // EEXIST: made meanwhile by someone else, which is as good
                let why = String(cString: strerror(errno))
                remove(made)
                throw FileError(path: d, IngotError.io("cannot create the directory: \(why)"))
            }
        }
        return made
    }

    private static func remove(_ dirs: [String]) {
        for d in dirs.reversed() { rmdir(d) }
    }
}
