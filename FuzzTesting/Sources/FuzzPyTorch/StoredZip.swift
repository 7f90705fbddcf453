/// A minimal zip writer (stored entries, valid CRC-32s) for wrapping fuzzed pickles into checkpoints.
enum StoredZip {
    static func build(_ members: [(String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (name, data) in members {
            let n = Array(name.utf8)
            let crc = crc32(data)
            let offset = UInt32(truncatingIfNeeded: out.count)
            out += le(UInt32(0x0403_4b50)) + le(UInt16(20)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt32(0)) + le(crc)
            out += le(UInt32(truncatingIfNeeded: data.count)) + le(UInt32(truncatingIfNeeded: data.count))
            out += le(UInt16(truncatingIfNeeded: n.count)) + le(UInt16(0)) + n + data
            central += le(UInt32(0x0201_4b50)) + le(UInt16(20)) + le(UInt16(20)) + le(UInt16(0)) + le(UInt16(0))
            central += le(UInt32(0)) + le(crc) + le(UInt32(truncatingIfNeeded: data.count))
            central += le(UInt32(truncatingIfNeeded: data.count)) + le(UInt16(truncatingIfNeeded: n.count))
            central += le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt32(0)) + le(offset) + n
        }
        let start = UInt32(truncatingIfNeeded: out.count)
        out += central
        let count = UInt16(truncatingIfNeeded: members.count)
        out += le(UInt32(0x0605_4b50)) + le(UInt16(0)) + le(UInt16(0)) + le(count) + le(count)
        out += le(UInt32(truncatingIfNeeded: central.count)) + le(start) + le(UInt16(0))
        return out
    }

    private static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    private static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c >> 1) ^ (0xEDB8_8320 & (0 &- (c & 1))) }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }
}
