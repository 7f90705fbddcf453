import IngotFormat

/// Caps a zip reader enforces before trusting counts and sizes from the central directory.
public struct ZipLimits: Sendable, Equatable {
    /// Entries in the central directory (each costs at least 46 bytes there, so a larger claim is checked too).
    public var maxEntries: Int
    public var maxNameBytes: Int
    /// Declared uncompressed size of one entry: the most a single `load` may allocate.
    public var maxEntryBytes: Int

    public init(maxEntries: Int = Limits.maxTensors, maxNameBytes: Int = Limits.maxNameBytes,
                maxEntryBytes: Int = 16 << 30) {
        self.maxEntries = maxEntries
        self.maxNameBytes = maxNameBytes
        self.maxEntryBytes = maxEntryBytes
    }
}
