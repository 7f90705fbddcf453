import IngotFormat

/// `ingot.provenance` (specs/canonical.md §4): where a converted file came from — source format, every file read
/// with its size and XXH3-64, the converting Ingot's version and the options used.
public enum Provenance {
    public static func make(source: any TensorSource, version: String, options: JSONObject) throws -> JSONValue {
        var files: [JSONValue] = []
        let base = source.path.hasSuffix("/") ? String(source.path.dropLast()) : source.path
        let names: [(shown: String, path: String)]
        if let d = source as? HFDirectory {
            names = d.files.map { ($0, base + "/" + $0) }
        } else {
            names = [(base.split(separator: "/").last.map(String.init) ?? base, base)]
        }
        for (shown, path) in names {
            let f = try withPath(path) { try MappedFile(path: path) }
            files.append(.object(JSONObject([
                ("name", .string(shown)), ("bytes", .int(Int64(f.bytes.count))), ("xxh3", .string(XXH3.hexString(hash(f)))),
            ])))
        }
        var o = JSONObject()
        o["source_format"] = .string(source.formatName)
        o["files"] = .array(files)
        o["ingot_version"] = .string(version)
        o["options"] = .object(options)
        if let previous = source.metadata["ingot.provenance"] { o["previous"] = previous }
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
