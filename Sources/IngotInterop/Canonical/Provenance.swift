import IngotFormat

/// `ingot.provenance` (specs/canonical.md §4): where a converted file came from — source format, every file read
/// with its size and XXH3-64, the converting Ingot's version and the options used.
public enum Provenance {
    /// What provenance needs from a source, taken up front so the hashing can run on another thread while the
    /// conversion proceeds (it reads every source byte once more).
    public struct Plan: Sendable {
        let files: [(shown: String, path: String)]
        let format: String
        let previous: JSONValue?
    }

    public static func plan(source: any TensorSource) -> Plan {
        Plan(files: source.sourceFiles, format: source.formatName, previous: source.metadata["ingot.provenance"])
    }

    /// The plan for one shard of a sharded output: the files its tensors live in (for sources spread over several
    /// weight files, `TensorSource.sourceFile(of:)`) and every file that is not a weight file (config, tokenizer).
    public static func plan(source: any TensorSource, tensors names: [String]) -> Plan {
        let weightFiles = Set(source.descriptors.compactMap { source.sourceFile(of: $0.name) })
        guard !weightFiles.isEmpty else { return plan(source: source) }
        let used = Set(names.compactMap { source.sourceFile(of: $0) })
        return Plan(files: source.sourceFiles.filter { !weightFiles.contains($0.shown) || used.contains($0.shown) },
                    format: source.formatName, previous: source.metadata["ingot.provenance"])
    }

    /// Hashes already taken in this run, by path: the shards of one conversion share source files.
    public final class HashCache {
        var entries: [String: JSONValue] = [:]
        public init() {}
    }

    public static func make(source: any TensorSource, version: String, options: JSONObject) throws -> JSONValue {
        try make(plan(source: source), version: version, options: options)
    }

    public static func make(_ plan: Plan, version: String, options: JSONObject, cache: HashCache? = nil) throws -> JSONValue {
        var files: [JSONValue] = []
        for (shown, path) in plan.files {
            if let known = cache?.entries[path] {
                files.append(known)
                continue
            }
            let f = try withPath(path) { try MappedFile(path: path) }
            let entry = JSONValue.object(JSONObject([
                ("name", .string(shown)), ("bytes", .int(Int64(f.bytes.count))), ("xxh3", .string(XXH3.hexString(hash(f)))),
            ]))
            cache?.entries[path] = entry
            files.append(entry)
        }
        var o = JSONObject()
        o["source_format"] = .string(plan.format)
        o["files"] = .array(files)
        o["ingot_version"] = .string(version)
        o["options"] = .object(options)
        if let previous = plan.previous { o["previous"] = previous }
        return .object(o)
    }

    /// XXH3-64 of a whole file in 64 MiB steps, releasing each step's pages: hashing a multi-GB shard must not make
    /// it resident (mapped pages count toward RSS).
    static func hash(_ f: MappedFile) -> UInt64 {
        f.adviseSequential()
        let stream = XXH3Stream()
        let step = 64 << 20
        var at = 0
        while at < f.bytes.count {
            let end = min(f.bytes.count, at + step)
            stream.update(UnsafeRawBufferPointer(rebasing: f.bytes[at..<end]))
            f.evict(at..<end)
            at = end
        }
        return stream.digest
    }
}
