import IngotFormat

/// Reads little-endian fields of a GGUF header from untrusted bytes. Every read is bounded by `limit` — the file
/// size or the header cap, whichever is smaller — and fails with `.truncated` (the file ends) or `.headerTooLarge`
/// (the cap ends) instead of trapping. Counts are checked against the bytes remaining (`require`) before any
/// memory is reserved for them.
struct GGUFCursor {
    let bytes: UnsafeRawBufferPointer
    let limit: Int
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        limit = min(bytes.count, GGUFLimits.maxHeaderBytes)
    }

    var remaining: Int { limit - offset }

    /// The error for a read of `need` bytes at `offset` that does not fit before `limit`.
    private func shortfall(_ what: () -> String, need: UInt64) -> GGUFError {
        let inFile = bytes.count - offset
        if need > UInt64(inFile) { return .truncated(what: what(), offset: offset, need: need, have: inFile) }
        return .headerTooLarge
    }

    mutating func take(_ n: Int, _ what: @autoclosure () -> String) throws(GGUFError) -> UnsafeRawBufferPointer {
        guard n <= remaining, let b = bytes.bounded(offset, n) else { throw shortfall(what, need: UInt64(max(n, 0))) }
        offset += n
        return b
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(GGUFError) -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining, let v = bytes.le(T.self, at: offset) else { throw shortfall(what, need: UInt64(size)) }
        offset += size
        return v
    }

    /// Fails unless `count` items of at least `minSize` bytes each can still fit. Called before reserving memory
    /// for `count` items, so that a huge count in a tiny file costs nothing (no multiplication: no overflow).
    func require(_ count: UInt64, atLeast minSize: Int, _ what: @autoclosure () -> String) throws(GGUFError) {
        guard count > UInt64(remaining / minSize) else { return }
        let (need, overflow) = count.multipliedReportingOverflow(by: UInt64(minSize))
        throw shortfall(what, need: overflow ? UInt64.max : need)
    }

    /// A GGUF string: u64 length, then that many bytes of UTF-8.
    mutating func string(_ what: @autoclosure () -> String) throws(GGUFError) -> String {
        let n = try read(UInt64.self, "length of \(what())")
        guard n <= UInt64(GGUFLimits.maxStringBytes) else { throw .stringTooLong(what: what(), length: n) }
        let b = try take(Int(n), what())
        guard let s = String(validating: b, as: UTF8.self) else { throw .invalidUTF8(what: what()) }
        return s
    }

    /// `count` little-endian values of `T` (the caller has checked `count` with `require`).
    mutating func values<T: FixedWidthInteger>(_: T.Type, count: Int, _ what: @autoclosure () -> String)
        throws(GGUFError) -> [T]
    {
        let size = MemoryLayout<T>.size
        guard let total = Checked.mul(count, size) else { throw shortfall(what, need: UInt64.max) }
        let b = try take(total, what())
        return [T](unsafeUninitializedCapacity: count) { out, initialized in
            // One copy for the whole array: file bytes are little-endian, like every host Ingot builds for.
            if total > 0 { UnsafeMutableRawBufferPointer(out).copyMemory(from: b) }
            #if _endian(big)
            for i in 0..<count { out[i] = T(littleEndian: out[i]) }
            #endif
            initialized = count
        }
    }
}
