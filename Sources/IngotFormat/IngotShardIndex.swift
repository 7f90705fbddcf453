/// `<stem>.ingot.index.json`: the table of contents of a sharded Ingot model (specs/format.md §9). It lists every
/// shard with its file size and header checksum (so a missing, truncated or swapped shard is caught when the model
/// is opened, in O(headers)), maps every tensor to its shard, and holds the model's metadata once.
public struct IngotShardIndex: Sendable, Equatable {
    public struct Shard: Sendable, Equatable {
        /// A plain file name in the index's directory.
        public let file: String
        public let bytes: Int
        /// The shard's header XXH3-64 (its preamble's checksum).
        public let headerChecksum: UInt64
        public let tensors: Int

        public init(file: String, bytes: Int, headerChecksum: UInt64, tensors: Int) {
            self.file = file
            self.bytes = bytes
            self.headerChecksum = headerChecksum
            self.tensors = tensors
        }
    }

    public static let formatTag = "ingot-shards"
    public static let version: Int64 = 1
    public static let suffix = ".ingot.index.json"
    /// An index lists names and sizes: far below the 256 MiB a 160-shard, 100k-tensor model's needs would be.
    public static let maxBytes = 256 << 20

    public var metadata: JSONObject
    public var shards: [Shard]
    /// Tensor → shard file, in tensor order.
    public var weightMap: [(tensor: String, file: String)]
    /// The plan every shard was cut by (`ingot.shard.plan`).
    public var plan: String

    public init(metadata: JSONObject, shards: [Shard], weightMap: [(tensor: String, file: String)], plan: String) {
        self.metadata = metadata
        self.shards = shards
        self.weightMap = weightMap
        self.plan = plan
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.metadata == b.metadata && a.shards == b.shards && a.plan == b.plan
            && a.weightMap.map(\.tensor) == b.weightMap.map(\.tensor) && a.weightMap.map(\.file) == b.weightMap.map(\.file)
    }

    public var json: JSONValue {
        let total = shards.reduce(Int64(0)) { $0 &+ Int64($1.bytes) }
        return .object(JSONObject([
            ("format", .string(Self.formatTag)),
            ("version", .int(Self.version)),
            ("plan", .string(plan)),
            ("total_bytes", .int(total)),
            ("shards", .array(shards.map { s in
                .object(JSONObject([
                    ("file", .string(s.file)), ("bytes", .int(Int64(s.bytes))),
                    ("header_xxh3", .string(XXH3.hexString(s.headerChecksum))), ("tensors", .int(Int64(s.tensors))),
                ]))
            })),
            ("weight_map", .object(JSONObject(weightMap.map { ($0.tensor, .string($0.file)) }))),
            ("metadata", .object(metadata)),
        ]))
    }

    /// The file's bytes: indented JSON (people read and diff it) and a final newline.
    public func encoded() throws(IngotError) -> [UInt8] {
        do { return Array((try JSONWriter.encode(json, indent: 2) + "\n").utf8) } catch { throw .unsupported("metadata: \(error)") }
    }

    /// Parses and checks an index's own consistency (shards exist on disk is `ShardedIngotFile`'s job).
    public init(bytes: UnsafeRawBufferPointer) throws(ShardError) {
        guard bytes.count <= Self.maxBytes else { throw .indexTooLarge(bytes: bytes.count, cap: Self.maxBytes) }
        let root: JSONValue
        do { root = try JSONParser.parse(bytes) } catch { throw .badIndex("not valid JSON: \(error)") }
        guard let o = root.objectValue else { throw .badIndex("the top level is not an object") }
        guard o["format"]?.stringValue == Self.formatTag else { throw .badIndex("\"format\" is not \"\(Self.formatTag)\"") }
        guard let v = o["version"]?.intValue, v == Self.version else { throw .badIndex("unsupported \"version\" (this reader reads 1)") }
        guard let plan = o["plan"]?.stringValue else { throw .badIndex("no \"plan\" string") }
        guard let list = o["shards"]?.arrayValue, !list.isEmpty else { throw .badIndex("no \"shards\" list") }
        guard list.count <= ShardPlan.maxShards else { throw .badIndex("\(list.count) shards exceed the cap of \(ShardPlan.maxShards)") }
        var shards: [Shard] = []
        var files = Set<ExactKey>()
        for (i, s) in list.enumerated() {
            guard let so = s.objectValue, let file = so["file"]?.stringValue, isPlainFileName(file),
                let bytes = so["bytes"]?.intValue, bytes >= 0, bytes <= Int64(Int.max),
                let hx = so["header_xxh3"]?.stringValue, hx.utf8.count == 16, let sum = UInt64(hx, radix: 16),
                let n = so["tensors"]?.intValue, n >= 0, n <= Int64(Limits.maxTensors)
            else { throw .badIndex("shard entry \(i + 1) needs \"file\" (a plain name), \"bytes\", \"header_xxh3\" and \"tensors\"") }
            guard files.insert(ExactKey(file)).inserted else { throw .badIndex("shard file \(quoted(file)) is listed twice") }
            shards.append(Shard(file: file, bytes: Int(bytes), headerChecksum: sum, tensors: Int(n)))
        }
        guard let map = o["weight_map"]?.objectValue else { throw .badIndex("no \"weight_map\" object") }
        var weightMap: [(tensor: String, file: String)] = []
        weightMap.reserveCapacity(map.count)
        for (tensor, v) in map {
            guard let f = v.stringValue, files.contains(ExactKey(f)) else {
                throw .badIndex("weight_map puts \(quoted(tensor)) in a file that is not a listed shard")
            }
            weightMap.append((tensor, f))
        }
        guard map.count == shards.reduce(0, { $0 + $1.tensors }) else {
            throw .badIndex("weight_map has \(map.count) tensors but the shards list \(shards.reduce(0, { $0 + $1.tensors }))")
        }
        guard let meta = o["metadata"]?.objectValue else { throw .badIndex("no \"metadata\" object") }
        self.init(metadata: meta, shards: shards, weightMap: weightMap, plan: plan)
    }

    /// Replaces the model metadata an index holds (e.g. `ingot verify --stamp` on a sharded model), atomically; the
    /// shards are untouched, so every recorded size and header checksum stays true.
    public static func rewriteMetadata(path: String, _ update: (inout JSONObject) throws -> Void) throws {
        let f = try withPath(path) { try MappedFile(path: path) }
        var index: IngotShardIndex
        do { index = try IngotShardIndex(bytes: f.bytes) } catch { throw FileError(path: path, error) }
        try update(&index.metadata)
        let bytes = try withPath(path) { try index.encoded() }
        let out = try PendingFile(path: path)
        try out.step { try $0.write(bytes) }
        try out.commit()
    }
}

/// `ingot.shard` in each shard's header: which shard of which plan it is.
public struct ShardStamp: Sendable, Equatable {
    public static let key = "ingot.shard"
    /// 1-based.
    public let number: Int
    public let count: Int
    /// The plan's XXH3-64 (hex): names, layouts and cuts; shards of different plans never form one model.
    public let plan: String
    /// The shard size the plan was cut at.
    public let maxBytes: Int
    /// The index file name this shard belongs beside.
    public let index: String

    public init(number: Int, count: Int, plan: String, maxBytes: Int, index: String) {
        self.number = number
        self.count = count
        self.plan = plan
        self.maxBytes = maxBytes
        self.index = index
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("number", .int(Int64(number))), ("count", .int(Int64(count))), ("plan", .string(plan)),
            ("max_bytes", .int(Int64(maxBytes))), ("index", .string(index)),
        ]))
    }

    /// The stamp in a header's metadata; nil when there is none or it is malformed (then the file is no shard).
    public init?(metadata: JSONObject) {
        guard let o = metadata[Self.key]?.objectValue, let n = o["number"]?.intValue, let c = o["count"]?.intValue,
            c >= 1, c <= Int64(ShardPlan.maxShards), n >= 1, n <= c, let plan = o["plan"]?.stringValue,
            let m = o["max_bytes"]?.intValue, m > 0, m <= Int64(Int.max), let index = o["index"]?.stringValue,
            isPlainFileName(index)
        else { return nil }
        self.init(number: Int(n), count: Int(c), plan: plan, maxBytes: Int(m), index: index)
    }

    public var label: String { "shard \(number) of \(count) (plan \(plan))" }
}
