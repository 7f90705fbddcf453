/// Bounded reads over untrusted bytes: every accessor checks the range first and returns nil instead of trapping,
/// so a reader turns a short file into its own error rather than a crash.
extension UnsafeRawBufferPointer {
    /// The bytes `[offset, offset + length)`, or nil when that range is not inside the buffer.
    func bounded(_ offset: Int, _ length: Int) -> UnsafeRawBufferPointer? {
        guard offset >= 0, length >= 0, offset <= count, length <= count - offset else { return nil }
        return UnsafeRawBufferPointer(rebasing: self[offset..<(offset + length)])
    }

    /// A little-endian integer at `offset` (any alignment: mapped file offsets are arbitrary).
    func le<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T? {
        let size = MemoryLayout<T>.size
        guard offset >= 0, offset <= count, size <= count - offset else { return nil }
        return T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// True when the buffer starts with `prefix`.
    func hasPrefix(_ prefix: [UInt8]) -> Bool {
        guard count >= prefix.count else { return false }
        for (i, b) in prefix.enumerated() where self[i] != b { return false }
        return true
    }
}
