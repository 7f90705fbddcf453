internal import CXXHash

/// XXH3-64 (seed 0) from libxxhash: the checksum of the header and of every tensor's decoded bytes.
public enum XXH3 {
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        XXH3_64bits(bytes.baseAddress, bytes.count)
    }

    public static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// The header's textual form: 16 lowercase hex digits.
    public static func hexString(_ v: UInt64) -> String { hex(v) }

    public static func parseHex(_ s: String) -> UInt64? {
        guard s.utf8.count == 16, s.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        return UInt64(s, radix: 16)
    }
}

/// Incremental XXH3-64 for data that arrives in pieces (equal to the one-shot hash of the concatenation).
public final class XXH3Stream {
    private let state: OpaquePointer

    public init() {
        // XXH3_createState only fails when malloc does; there is nothing sensible to do then but stop.
        guard let s = XXH3_createState() else { fatalError("out of memory") }
        state = s
        XXH3_64bits_reset(state)
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        XXH3_64bits_update(state, bytes.baseAddress, bytes.count)
    }

    public var digest: UInt64 { XXH3_64bits_digest(state) }

    deinit { XXH3_freeState(state) }
}
