/// Caps every reader enforces before trusting a size from a file (see `specs/format.md`, "Limits").
public enum Limits {
    /// Header JSON bytes. Large tokenizers in metadata stay well below this.
    public static let maxHeaderBytes = 100_000_000
    public static let maxTensors = 1_000_000
    public static let maxNameBytes = 4096
    public static let maxRank = 8
    /// The one wording of a rank error, in every reader: the real rank, never a truncated count.
    public static func rankExceeded(_ rank: Int, maximum: Int = maxRank) -> String {
        "rank \(rank) exceeds the maximum of \(maximum)"
    }
    public static let minAlignment = 8
    public static let maxAlignment = 4096
    public static let defaultAlignment = 64
    /// The data section starts on a multiple of this.
    public static let pageSize = 4096
    /// Nesting depth of header JSON (metadata may nest objects and arrays).
    public static let maxJSONDepth = 64
    /// Decoded bytes per compressed chunk.
    public static let maxChunkBytes = 64 << 20
    public static let defaultChunkBytes = 1 << 20
    /// Chunks per tensor: 2^24 chunks of the default size is 16 TiB; the table stays ≤ 64 MiB.
    public static let maxChunks = 1 << 24
    /// Largest group size of block-quantized types.
    public static let maxGroupSize = 1 << 20
}

/// Overflow-checked size arithmetic: every size derived from file bytes goes through these (all readers, all
/// modules).
public enum Checked {
    @inlinable public static func add(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? nil : r
    }
    @inlinable public static func mul(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : r
    }
    /// Rounds `v` up to a multiple of `a` (a power of two), nil on overflow.
    @inlinable public static func alignUp(_ v: Int, _ a: Int) -> Int? {
        guard let t = add(v, a - 1) else { return nil }
        return t & ~(a - 1)
    }
    /// A UInt64 from a file as an Int, nil when it does not fit.
    @inlinable public static func int(_ v: UInt64) -> Int? { v <= UInt64(Int.max) ? Int(v) : nil }
}
