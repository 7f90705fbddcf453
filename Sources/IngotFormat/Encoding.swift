/// How a tensor's bytes are stored in the data section (spec "Encodings").
public enum Encoding: Equatable, Sendable {
    /// The decoded bytes themselves: zero-copy over the mapping.
    case raw
    /// Independently decodable chunks of `chunkBytes` decoded bytes each (the last may be shorter), every chunk split
    /// into planes by `filter` and each plane stored, zstd-compressed or entropy-coded, whichever is smallest.
    case chunked(chunkBytes: Int, filter: Filter)

    public enum Filter: String, Sendable, CaseIterable {
        /// One plane: the chunk's bytes.
        case none
        /// One plane per byte of a float value, after rotating the sign bit to the bottom (exponents form a plane).
        case bytegroup
    }

    public var label: String {
        switch self {
        case .raw: "raw"
        case let .chunked(_, filter): filter == .none ? "chunked" : "chunked+bg"
        }
    }
}

/// How the writer stores the tensors it is given.
public struct CompressionOptions: Sendable, Equatable {
    public var level: Int
    public var chunkBytes: Int
    /// Byte grouping for float dtypes (other dtypes always use one plane).
    public var byteGrouping: Bool
    /// A tensor is kept raw unless compression saves at least this fraction of its size.
    public var minSaving: Double

    public init(level: Int = 3, chunkBytes: Int = Limits.defaultChunkBytes, byteGrouping: Bool = true,
                minSaving: Double = 0.01) {
        self.level = level
        self.chunkBytes = chunkBytes
        self.byteGrouping = byteGrouping
        self.minSaving = minSaving
    }

    /// Parses the CLI form `zstd` or `zstd:LEVEL`.
    public static func parse(_ text: String) throws(IngotError) -> CompressionOptions {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.first == "zstd", parts.count <= 2 else {
            throw .unsupported("unknown compression \(quoted(text)) (expected zstd or zstd:LEVEL)")
        }
        var o = CompressionOptions()
        if parts.count == 2 {
            guard let l = Int(parts[1]), ZstdCompressor.levelRange.contains(l) else {
                throw .unsupported("zstd level must be an integer in \(ZstdCompressor.levelRange)")
            }
            o.level = l
        }
        return o
    }
}
