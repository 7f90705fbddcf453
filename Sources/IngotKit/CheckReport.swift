import IngotFormat
import IngotInterop

/// A file whose layout is valid and whose every tensor decodes, with the integrity evidence its format offers.
public struct CheckReport: Sendable {
    public enum Integrity: Sendable, Equatable {
        /// Ingot: every tensor's XXH3-64 matched over this many decoded bytes.
        case checksums(verifiedBytes: Int)
        /// npz: the CRC-32 of every zip member matched.
        case crc32
        /// The format has no checksums: the tensors were only read.
        case none
    }

    public let path: String
    public let format: String
    public let tensors: Int
    public let integrity: Integrity
    /// The shard count of a sharded Ingot model (nil for one file).
    public var shards: Int? = nil
    /// What the user should know about the source (a shard opened for its whole model).
    public var warnings: [String] = []

    /// Opening proves the layout; then every tensor is decoded and, where the format has checksums, compared with
    /// them. Throws at the first bad tensor, naming it. Progress: one item per tensor.
    public static func check(path: String, progress: ProgressHandler? = nil) throws -> CheckReport {
        let source = try openModelSource(path: path)
        let all = source.descriptors
        // Ingot: every tensor against its XXH3; a sharded model's index and shards were proven against each other on
        // open, then each shard's tensors are.
        let files = (source as? IngotFile).map { [$0] } ?? (source as? ShardedIngotFile)?.shards
        if let files {
            var bytes = 0, done = 0
            for f in files {
                for t in f.tensors {
                    done += 1
                    progress?(done, all.count, t.name)
                    bytes += try withPath(f.path) { try f.verify(t) }.count
                }
            }
            return CheckReport(path: path, format: source.formatName, tensors: all.count, integrity: .checksums(verifiedBytes: bytes),
                               shards: (source as? ShardedIngotFile)?.index == nil ? nil : files.count, warnings: source.warnings)
        }
        for (i, d) in all.enumerated() {
            progress?(i + 1, all.count, d.name)
            _ = try source.load(d.name)
        }
        return CheckReport(path: path, format: source.formatName, tensors: all.count,
                           integrity: source.formatName == "npz" ? .crc32 : .none)
    }

    public var json: JSONValue {
        var o = JSONObject([("file", .string(path)), ("format", .string(format)), ("ok", .bool(true)), ("tensors", .integer(tensors))])
        if let shards { o["shards"] = .integer(shards) }
        switch integrity {
        case let .checksums(bytes): o["integrity"] = .string("xxh3"); o["verified_bytes"] = .integer(bytes)
        case .crc32: o["integrity"] = .string("crc32")
        case .none: o["integrity"] = .null
        }
        return .object(o)
    }
}
