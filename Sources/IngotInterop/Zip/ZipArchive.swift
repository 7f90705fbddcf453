import IngotFormat

/// A read-only zip archive over a mapped file: the central directory is parsed and every entry's local header
/// checked when the archive is opened (no entry data is touched); `contents` then inflates (or views) one entry
/// and checks its CRC-32.
///
/// Sizes come from the central directory (with ZIP64 fields), never from local headers: numpy writes local
/// headers with 0xFFFFFFFF sizes and the real ones in a ZIP64 extra field, and data descriptors make local sizes
/// unreliable in general. Supports what `.npz` needs: stored and deflated entries, ZIP64, one disk.
public final class ZipArchive: Sendable {
    public let file: MappedFile
    public let limits: ZipLimits
    /// In central directory order.
    public let entries: [ZipEntry]
    private let index: [ExactKey: Int]

    public init(file: MappedFile, limits: ZipLimits = ZipLimits()) throws {
        do { entries = try ZipDirectoryParser.parse(file.bytes, limits: limits) } catch { throw FileError(path: file.path, error) }
        self.file = file
        self.limits = limits
        // Names are unique: the parser rejects duplicates.
        var idx = [ExactKey: Int](minimumCapacity: entries.count)
        for (i, e) in entries.enumerated() { idx[ExactKey(e.name)] = i }
        index = idx
    }

    public func entry(_ name: String) -> ZipEntry? { index[ExactKey(name)].map { entries[$0] } }

    /// The entry's uncompressed bytes with its CRC-32 checked: a view of the mapping for stored entries, a new
    /// buffer of exactly the declared size for deflated ones (refused, before allocating, beyond
    /// `limits.maxInflatedBytes`).
    public func contents(of e: ZipEntry) throws -> TensorBuffer {
        do { return try checkedContents(e) } catch { throw FileError(path: file.path, error) }
    }

    func checkedContents(_ e: ZipEntry) throws(ZipError) -> TensorBuffer {
        let raw = try compressedBytes(e)
        let buffer: TensorBuffer
        switch e.method {
        case .stored:
            buffer = TensorBuffer(bytes: raw, owner: file)
        case .deflated:
            // The size is the central directory's claim: checked against the machine before it is allocated. The
            // inflater then fills exactly this buffer and fails on a stream that would go past it.
            guard e.uncompressedSize <= limits.maxInflatedBytes else {
                throw .wouldNotFit(entry: e.name, size: e.uncompressedSize, cap: limits.maxInflatedBytes)
            }
            let out = OwnedBytes(count: e.uncompressedSize)
            do { try RawInflate.exactly(raw, into: out.mutable) } catch { throw Self.zipError(error, e) }
            buffer = TensorBuffer(out)
        }
        let crc = buffer.withBytes { CRC32.checksum($0) }
        guard crc == e.crc32 else { throw .crcMismatch(entry: e.name, expected: e.crc32, actual: crc) }
        return buffer
    }

    /// The first `count` uncompressed bytes (fewer if the entry is shorter), without a CRC check: for reading a
    /// member's header when the archive is opened without decoding the whole member.
    func prefix(of e: ZipEntry, count: Int) throws(ZipError) -> TensorBuffer {
        let raw = try compressedBytes(e)
        let n = min(count, e.uncompressedSize)
        switch e.method {
        case .stored:
            // A stored entry's compressed and uncompressed sizes are equal (checked when the archive was opened).
            return TensorBuffer(bytes: raw.bounded(0, n) ?? raw, owner: file)
        case .deflated:
            let out = OwnedBytes(count: n)
            let got: Int
            do { got = try RawInflate.prefix(raw, into: out.mutable) } catch { throw Self.zipError(error, e) }
            let bytes = UnsafeRawBufferPointer(out.mutable)
            return TensorBuffer(bytes: bytes.bounded(0, got) ?? bytes, owner: out)
        }
    }

    private func compressedBytes(_ e: ZipEntry) throws(ZipError) -> UnsafeRawBufferPointer {
        // Proven in bounds when the archive was opened; checked again rather than trusted.
        guard let raw = file.bytes.bounded(e.dataOffset, e.compressedSize) else {
            throw .entryBeyondDirectory(entry: e.name, end: e.dataOffset &+ e.compressedSize, directoryStart: file.bytes.count)
        }
        return raw
    }

    private static func zipError(_ f: RawInflate.Failure, _ e: ZipEntry) -> ZipError {
        switch f {
        case let .corrupt(why): .corruptDeflate(entry: e.name, reason: why)
        case .tooLarge: .inflatesPastDeclaredSize(entry: e.name, declared: e.uncompressedSize)
        case let .tooSmall(n): .inflatesShort(entry: e.name, declared: e.uncompressedSize, actual: n)
        }
    }
}
