#if canImport(Glibc)
import Glibc
#endif

/// A sharded Ingot model opened as one tensor source: the index (`IngotShardIndex`) and every shard it lists,
/// each proven against it on open — present, the recorded size and header checksum, stamped as that shard of that
/// plan, holding exactly the tensors the index puts there. Opening costs the headers only; tensors load (and are
/// proven against their XXH3) from their shard as in a single file.
public final class ShardedIngotFile: TensorSource {
    /// The index file (or, for a lone shard, the shard).
    public let path: String
    public let index: IngotShardIndex?
    public let shards: [IngotFile]
    public let metadata: JSONObject
    public let descriptors: [TensorDescriptor]
    public let warnings: [String]
    private let location: [ExactKey: Int]

    public var formatName: String { "ingot" }

    /// Opens the model an index describes.
    public init(indexPath: String, warnings: [String] = []) throws {
        let f = try withPath(indexPath) { try MappedFile(path: indexPath) }
        let index: IngotShardIndex
        do { index = try IngotShardIndex(bytes: f.bytes) } catch { throw FileError(path: indexPath, error) }
        let dir = Self.directory(of: indexPath)
        let indexName = baseName(indexPath)
        var where_ = [ExactKey: String]()
        for (t, file) in index.weightMap { where_[ExactKey(t)] = file }
        var shards: [IngotFile] = []
        var location = [ExactKey: Int]()
        var descriptors: [TensorDescriptor] = []
        for (i, s) in index.shards.enumerated() {
            let p = dir + s.file
            guard access(p, F_OK) == 0 else {
                throw FileError(path: p, ShardError.missingShard(number: i + 1, count: index.shards.count))
            }
            let shard = try IngotFile(path: p)
            guard shard.file.bytes.count == s.bytes else {
                throw FileError(path: p, ShardError.changedShard(
                    number: i + 1, reason: "\(shard.file.bytes.count) bytes, \(indexName) recorded \(s.bytes)"))
            }
            guard shard.preamble.headerChecksum == s.headerChecksum else {
                throw FileError(path: p, ShardError.changedShard(
                    number: i + 1, reason: "header checksum \(XXH3.hexString(shard.preamble.headerChecksum)), \(indexName) recorded \(XXH3.hexString(s.headerChecksum))"))
            }
            let expected = "shard \(i + 1) of \(index.shards.count) (plan \(index.plan))"
            guard let stamp = ShardStamp(metadata: shard.metadata) else {
                throw FileError(path: p, ShardError.wrongShard(expected: expected, found: "not a shard (no ingot.shard)"))
            }
            guard stamp.number == i + 1, stamp.count == index.shards.count, stamp.plan == index.plan else {
                throw FileError(path: p, ShardError.wrongShard(expected: expected, found: stamp.label))
            }
            guard shard.tensors.count == s.tensors else {
                throw FileError(path: p, ShardError.tensorMismatch("\(shard.tensors.count) tensors, \(indexName) lists \(s.tensors)"))
            }
            for t in shard.tensors {
                guard where_[ExactKey(t.name)] == s.file else {
                    throw FileError(path: p, ShardError.tensorMismatch("\(indexName) does not put \(quoted(t.name)) in \(s.file)"))
                }
                guard location[ExactKey(t.name)] == nil else { throw FileError(path: p, IngotError.duplicateName(t.name)) }
                location[ExactKey(t.name)] = i
                descriptors.append(TensorDescriptor(name: t.name, layout: t.layout))
            }
            shards.append(shard)
        }
        path = indexPath
        self.index = index
        self.shards = shards
        self.location = location
        self.descriptors = descriptors
        metadata = index.metadata
        self.warnings = warnings
    }

    /// One shard on its own (no index beside it): its tensors and metadata only, with a warning saying so.
    public init(lone shard: IngotFile, warning: String) {
        path = shard.path
        index = nil
        shards = [shard]
        var location = [ExactKey: Int]()
        for t in shard.tensors { location[ExactKey(t.name)] = 0 }
        self.location = location
        descriptors = shard.tensors.map { TensorDescriptor(name: $0.name, layout: $0.layout) }
        metadata = shard.metadata
        warnings = [warning]
    }

    /// The index beside a shard: `ingot.shard.index` in its directory, if present.
    public static func indexPath(besideShard shard: IngotFile) -> String? {
        guard let stamp = ShardStamp(metadata: shard.metadata) else { return nil }
        let p = directory(of: shard.path) + stamp.index
        return access(p, F_OK) == 0 ? p : nil
    }

    public func shard(holding name: String) -> IngotFile? { location[ExactKey(name)].map { shards[$0] } }

    public func load(_ name: String) throws -> TensorBuffer {
        guard let f = shard(holding: name), let e = f.entry(name) else { throw FileError(path: path, IngotError.noSuchTensor(name)) }
        return try withPath(f.path) { try f.load(e) }
    }

    public func evict(_ name: String) { shard(holding: name)?.evict(name) }

    public func storage(of d: TensorDescriptor) -> StorageInfo {
        shard(holding: d.name)?.storage(of: d) ?? StorageInfo(storedBytes: d.layout.byteCount, encoding: "raw")
    }

    /// The index and every shard, shown by their names.
    public var sourceFiles: [(shown: String, path: String)] {
        let files = (index == nil ? [] : [path]) + shards.map(\.path)
        return files.map { (baseName($0), $0) }
    }

    public func sourceFile(of name: String) -> String? { shard(holding: name).map { baseName($0.path) } }

    /// "dir/" for "dir/x", "" for "x".
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }
}
