import IngotFormat
import IngotInterop
#if canImport(Glibc)
import Glibc
#endif

/// Writes the index of a sharded Ingot model from its shards alone — after the parts of a job array have run on
/// different machines, or at the end of a one-process conversion (the same bytes either way). Every shard must be
/// there, stamped with the same plan and count and its own number; the first carries the model's metadata, which
/// the index holds once, with the provenance of all shards merged.
public enum ShardIndexer {
    public struct Report: Sendable {
        public let index: String
        public let shards: [String]
        public let tensors: Int
        public let bytes: Int

        public var json: JSONValue {
            .object(JSONObject([
                ("index", .string(index)), ("shards", .array(shards.map(JSONValue.string))),
                ("tensors", .integer(tensors)), ("bytes", .integer(bytes)),
            ]))
        }
    }

    /// Indexes the sharded model in `directory` (stem `model` unless `stem` names another, or the directory's
    /// shards say). Refuses to replace an existing index unless `overwrite`.
    public static func index(directory: String, stem: String? = nil, overwrite: Bool = false) throws -> Report {
        let dir = directory.hasSuffix("/") ? directory : directory + "/"
        guard isDirectory(dir) else { throw FileError(path: directory, IngotError.unsupported("not a directory")) }
        let first = try firstShard(in: dir, stem: stem)
        return try write(dir: dir, stem: first.stem, count: first.count, overwrite: overwrite)
    }

    /// Reads shards 1…count of `stem` in `dir`, checks them against each other, and writes the index atomically.
    static func write(dir: String, stem: String, count: Int, overwrite: Bool) throws -> Report {
        let out = ShardedOutput(dir: dir, stem: stem, ext: "ingot")
        if !overwrite, access(out.indexPath, F_OK) == 0 { throw PipelineError.outputExists(path: out.indexPath) }
        var shards: [IngotShardIndex.Shard] = []
        var weightMap: [(tensor: String, file: String)] = []
        var metadata = JSONObject()
        var provenance: [JSONValue] = []
        var plan = ""
        var names = Set<ExactKey>()
        for i in 0..<count {
            let name = out.fileName(i, of: count)
            let p = dir + name
            guard access(p, F_OK) == 0 else { throw FileError(path: p, ShardError.missingShard(number: i + 1, count: count)) }
            let f = try IngotFile(path: p)
            guard let stamp = ShardStamp(metadata: f.metadata) else {
                throw FileError(path: p, ShardError.wrongShard(expected: "shard \(i + 1) of \(count)", found: "not a shard (no ingot.shard)"))
            }
            if i == 0 { plan = stamp.plan }
            guard stamp.number == i + 1, stamp.count == count, stamp.plan == plan, stamp.index == out.indexName else {
                throw FileError(path: p, ShardError.wrongShard(expected: "shard \(i + 1) of \(count) (plan \(plan))", found: stamp.label))
            }
            if i == 0 {
                metadata = f.metadata
                metadata[ShardStamp.key] = nil
            }
            if let files = f.metadata["ingot.provenance"]?.objectValue?["files"]?.arrayValue {
                for e in files where !provenance.contains(e) { provenance.append(e) }
            }
            for t in f.tensors {
                guard names.insert(ExactKey(t.name)).inserted else { throw FileError(path: p, IngotError.duplicateName(t.name)) }
                weightMap.append((t.name, name))
            }
            shards.append(.init(file: name, bytes: f.file.bytes.count, headerChecksum: f.preamble.headerChecksum, tensors: f.tensors.count))
        }
        if var p = metadata["ingot.provenance"]?.objectValue {
            p["files"] = .array(provenance)
            metadata["ingot.provenance"] = .object(p)
        }
        let index = IngotShardIndex(metadata: metadata, shards: shards, weightMap: weightMap, plan: plan)
        let bytes = try withPath(out.indexPath) { try index.encoded() }
        let file = try PendingFile(path: out.indexPath)
        try file.step { try $0.write(bytes) }
        try file.commit()
        return Report(index: out.indexPath, shards: shards.map { dir + $0.file }, tensors: weightMap.count,
                      bytes: shards.reduce(0) { $0 + $1.bytes })
    }

    /// The stem and count of the shards in `dir` (`stem-00001-of-NNNNN.ingot`); an error when there are none or
    /// several models.
    static func firstShard(in dir: String, stem: String?) throws -> (stem: String, count: Int) {
        guard let names = directoryEntries(dir) else { throw FileError(path: dir, IngotError.io("cannot list the directory")) }
        var found = Set<String>()
        var pick: (stem: String, count: Int)? = nil
        for name in names {
            guard let p = ShardPlan.parseFileName(name, ext: "ingot"), p.number == 1, stem == nil || p.stem == stem else { continue }
            found.insert("\(p.stem) (\(p.count) shards)")
            pick = (p.stem, p.count)
        }
        guard found.count == 1, let pick else {
            if found.isEmpty {
                throw FileError(path: dir, IngotError.unsupported("no first shard (\(stem ?? "model")-00001-of-NNNNN.ingot) here"))
            }
            throw FileError(path: dir, ShardError.ambiguousDirectory(found.sorted()))
        }
        return pick
    }
}

extension ShardedOutput {
    init(dir: String, stem: String, ext: String) {
        self.dir = dir
        self.stem = stem
        self.ext = ext
    }
}
