import IngotFormat

/// Caps a zip reader enforces before trusting counts and sizes from the central directory.
public struct ZipLimits: Sendable, Equatable {
    /// Entries in the central directory (each costs at least 46 bytes there, so a larger claim is checked too).
    public var maxEntries: Int
    public var maxNameBytes: Int
    /// Declared uncompressed size of any entry, stored or deflated (a sanity bound checked when the archive is
    /// opened; stored entries are views of the mapping and cost no memory).
    public var maxEntryBytes: Int
    /// Declared uncompressed size of a deflated entry, checked before it is inflated into memory: by default the
    /// machine's `MemoryBudget`, so a small bomb that claims gigabytes is one error line, never an abort.
    public var maxInflatedBytes: Int

    public init(maxEntries: Int = Limits.maxTensors, maxNameBytes: Int = Limits.maxNameBytes,
                maxEntryBytes: Int = 16 << 30, maxInflatedBytes: Int = MemoryBudget.bytes) {
        self.maxEntries = maxEntries
        self.maxNameBytes = maxNameBytes
        self.maxEntryBytes = maxEntryBytes
        self.maxInflatedBytes = maxInflatedBytes
    }
}
