import IngotFormat
import IngotInterop

/// A file's tensors (layout, stored size, encoding, optional statistics), totals, a per-type summary and metadata.
public struct InspectReport: Sendable {
    public struct Row: Sendable {
        public let descriptor: TensorDescriptor
        public let storage: StorageInfo
        /// With `stats`: min/max/mean/std and NaN/Inf counts (of the values a block-quantized tensor stands for).
        public let stats: TensorStats?
    }

    /// Tensors of one type (dtype and group size).
    public struct TypeSummary: Sendable, Equatable {
        public let type: String
        public let tensors: Int
        public let params: Int
        public let bytes: Int
        public let storedBytes: Int

        public var bitsPerWeight: Double { params == 0 ? 0 : Double(bytes * 8) / Double(params) }
    }

    public let path: String
    public let format: String
    public let metadata: JSONObject
    public let rows: [Row]
    /// The model's tokenizer in one line (vocabulary size, special tokens, chat template), when it has one: built
    /// once here, not on every read of the report.
    public let tokenizerSummary: String?
    /// The files a sharded Ingot model or a split GGUF spans (nil for one file).
    public var files: [String]? = nil
    /// What the user should know about the source (a shard opened for its whole model, an unknown architecture).
    public var warnings: [String] = []

    /// Lists `path`; with `stats` every tensor is read (progress: one item per tensor).
    public static func inspect(path: String, stats: Bool = false, progress: ProgressHandler? = nil) throws -> InspectReport {
        let source = try openModelSource(path: path)
        var rows: [Row] = []
        for (i, d) in source.descriptors.enumerated() {
            var s: TensorStats?
            if stats {
                progress?(i + 1, source.descriptors.count, d.name)
                s = try statistics(source, d)
            }
            rows.append(Row(descriptor: d, storage: source.storage(of: d), stats: s))
        }
        var report = InspectReport(path: source.path, format: source.formatName, metadata: source.metadata, rows: rows,
                                   tokenizerSummary: summarizeTokenizer(path: source.path, metadata: source.metadata))
        // A model spread over several weight files (shards, splits): the files its tensors live in, in order.
        var weightFiles: [String] = [], seen = Set<String>()
        for d in source.descriptors {
            if let f = source.sourceFile(of: d.name), seen.insert(f).inserted { weightFiles.append(f) }
        }
        if weightFiles.count > 1 { report.files = weightFiles }
        report.warnings = source.warnings
        return report
    }

    static func statistics(_ source: any TensorSource, _ d: TensorDescriptor) throws -> TensorStats {
        var buf = try source.load(d.name)
        var dtype = d.layout.dtype
        if dtype.isBlockQuantized {  // statistics of the values the blocks stand for
            buf = try withPath(source.path) { try BlockCodec.floatBuffer(buf, layout: d.layout, name: d.name) }
            dtype = .f32
        }
        let t = dtype
        return try withPath(source.path) { try buf.withBytes { try TensorStats.compute($0, dtype: t) } }
    }

    static func summarizeTokenizer(path: String, metadata: JSONObject) -> String? {
        guard let t = try? ModelText(path: path, metadata: metadata) else { return nil }
        var parts = ["\(t.tokenizer.vocabularySize) tokens"]
        if let b = t.bosToken, let id = t.tokenizer.id(of: b) { parts.append("bos \(quoted(b)) (\(id))") }
        if let e = t.eosToken, let id = t.tokenizer.id(of: e) { parts.append("eos \(quoted(e)) (\(id))") }
        parts.append(t.chatTemplate == nil ? "no chat template" : "chat template \(t.chatTemplate?.utf8.count ?? 0) bytes")
        return parts.joined(separator: ", ")
    }

    public var totalBytes: Int { rows.reduce(0) { $0 + $1.descriptor.layout.byteCount } }
    public var totalStored: Int { rows.reduce(0) { $0 + $1.storage.storedBytes } }
    public var totalParams: Int { rows.reduce(0) { $0 + $1.descriptor.layout.elementCount } }

    /// Stored bytes per decoded byte (1 for an empty tensor).
    public static func ratio(_ stored: Int, _ size: Int) -> Double { size == 0 ? 1 : Double(stored) / Double(size) }

    /// One summary per type, in first-seen order.
    public var byType: [TypeSummary] {
        var order: [String] = []
        var acc: [String: (Int, Int, Int, Int)] = [:]
        for r in rows {
            let l = r.descriptor.layout
            let key = l.typeName
            if acc[key] == nil { order.append(key) }
            let a = acc[key, default: (0, 0, 0, 0)]
            acc[key] = (a.0 + 1, a.1 + l.elementCount, a.2 + l.byteCount, a.3 + r.storage.storedBytes)
        }
        return order.map { k in
            let a = acc[k, default: (0, 0, 0, 0)]
            return TypeSummary(type: k, tensors: a.0, params: a.1, bytes: a.2, storedBytes: a.3)
        }
    }

    public var json: JSONValue {
        let tensors: [JSONValue] = rows.map { r in
            let l = r.descriptor.layout
            var o = JSONObject()
            o["name"] = .string(r.descriptor.name)
            o["dtype"] = .string(l.dtype.rawValue)
            if let g = l.groupSize { o["group_size"] = .integer(g) }
            o["shape"] = .array(l.shape.map(JSONValue.integer))
            o["elements"] = .integer(l.elementCount)
            o["bytes"] = .integer(l.byteCount)
            o["stored_bytes"] = .integer(r.storage.storedBytes)
            o["encoding"] = .string(r.storage.encoding)
            if let s = r.stats {
                o["stats"] = .object(JSONObject([
                    ("min", .number(s.min)), ("max", .number(s.max)), ("mean", .number(s.mean)), ("std", .number(s.std)),
                    ("nan", .integer(s.nanCount)), ("inf", .integer(s.infCount)),
                ]))
            }
            return .object(o)
        }
        let types: [JSONValue] = byType.map { g in
            .object(JSONObject([
                ("dtype", .string(g.type)), ("tensors", .integer(g.tensors)), ("params", .integer(g.params)),
                ("bytes", .integer(g.bytes)), ("stored_bytes", .integer(g.storedBytes)),
            ]))
        }
        return .object(JSONObject([
            ("file", .string(path)), ("format", .string(format)), ("metadata", .object(metadata)),
            ("files", files.map { .array($0.map(JSONValue.string)) } ?? .null),
            ("tokenizer", tokenizerSummary.map(JSONValue.string) ?? .null),
            ("tensors", .array(tensors)),
            ("totals", .object(JSONObject([
                ("tensors", .integer(rows.count)), ("params", .integer(totalParams)),
                ("bytes", .integer(totalBytes)), ("stored_bytes", .integer(totalStored)),
            ]))),
            ("dtypes", .array(types)),
        ]))
    }
}
