/// The fixed 40 bytes at the start of every Ingot file (spec "Preamble").
public struct Preamble: Equatable, Sendable {
    public static let size = 40
    /// "\x89INGOT\r\n": the high byte and CR LF catch 7-bit and line-ending mangling, as PNG's magic does.
    public static let magic: [UInt8] = [0x89, 0x49, 0x4E, 0x47, 0x4F, 0x54, 0x0D, 0x0A]
    public static let major: UInt16 = 1
    public static let minor: UInt16 = 0

    public var major: UInt16 = Preamble.major
    public var minor: UInt16 = Preamble.minor
    public var flags: UInt32 = 0
    public var headerLength: UInt64
    public var headerChecksum: UInt64
    public var dataOffset: UInt64

    public init(headerLength: UInt64, headerChecksum: UInt64, dataOffset: UInt64) {
        self.headerLength = headerLength
        self.headerChecksum = headerChecksum
        self.dataOffset = dataOffset
    }

    /// Reads and checks the fixed fields: magic, version, flags, header length cap.
    public init(_ b: UnsafeRawBufferPointer) throws(IngotError) {
        guard b.count >= Preamble.size else { throw .truncated(what: "preamble", need: Preamble.size, have: b.count) }
        for i in 0..<8 where b[i] != Preamble.magic[i] { throw .badMagic }
        major = UInt16(littleEndian: b.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
        minor = UInt16(littleEndian: b.loadUnaligned(fromByteOffset: 10, as: UInt16.self))
        guard major == Preamble.major else { throw .unsupportedVersion(major: Int(major), minor: Int(minor)) }
        flags = readLE32(b, at: 12)
        guard flags == 0 else { throw .reservedFlags(flags) }
        headerLength = readLE64(b, at: 16)
        guard headerLength <= UInt64(Limits.maxHeaderBytes) else {
            throw .headerTooLarge(headerLength > UInt64(Int.max) ? Int.max : Int(headerLength))
        }
        headerChecksum = readLE64(b, at: 24)
        dataOffset = readLE64(b, at: 32)
    }

    public var bytes: [UInt8] {
        var out = Preamble.magic
        appendLE(major, to: &out)
        appendLE(minor, to: &out)
        appendLE(flags, to: &out)
        appendLE(headerLength, to: &out)
        appendLE(headerChecksum, to: &out)
        appendLE(dataOffset, to: &out)
        return out
    }
}
