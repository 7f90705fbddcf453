/// Bytes of one tensor plus whatever keeps them alive: the file mapping for zero-copy views, or an owned allocation
/// for decoded (decompressed, converted) tensors.
///
/// `@unchecked Sendable`: the bytes are never written after the buffer is handed out, and `owner` (a `MappedFile` or
/// an `OwnedBytes`) is itself immutable and keeps the memory valid for the buffer's lifetime.
public struct TensorBuffer: @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer
    public let owner: AnyObject

    public init(bytes: UnsafeRawBufferPointer, owner: AnyObject) {
        self.bytes = bytes
        self.owner = owner
    }

    /// Copies into a new owned buffer.
    public init(copying source: UnsafeRawBufferPointer) {
        let o = OwnedBytes(count: source.count)
        if let b = source.baseAddress, source.count > 0 { o.mutable.baseAddress?.copyMemory(from: b, byteCount: source.count) }
        self.init(bytes: UnsafeRawBufferPointer(o.mutable), owner: o)
    }

    public init(_ owned: OwnedBytes) {
        self.init(bytes: UnsafeRawBufferPointer(owned.mutable), owner: owned)
    }

    public var count: Int { bytes.count }

    /// Runs `body` with the bytes while guaranteeing the owner outlives the call.
    public func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(owner) {} }
        return try body(bytes)
    }
}

/// A 64-byte aligned heap allocation, written while being filled and then only read.
///
/// `@unchecked Sendable`: the allocation is freed only in `deinit`; callers fill it before publishing it in a
/// `TensorBuffer` (parallel fills write disjoint ranges).
public final class OwnedBytes: @unchecked Sendable {
    public let mutable: UnsafeMutableRawBufferPointer

    public init(count: Int) {
        // Allocate at least one byte so the base address is never nil.
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 64)
        mutable = UnsafeMutableRawBufferPointer(start: p, count: count)
    }

    deinit { mutable.baseAddress?.deallocate() }
}
