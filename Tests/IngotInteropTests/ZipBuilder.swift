/// Hand-made zip archives for the bad-file tests: every field the reader checks can be set wrong on purpose.
struct ZipBuilder {
    struct Member {
        var name: String
        /// The bytes stored in the archive (a raw deflate stream for method 8).
        var payload: [UInt8]
        var method: UInt16 = 0
        var crc: UInt32
        var uncompressedSize: UInt64
        var flags: UInt16 = 0
        /// Write the uncompressed size in a ZIP64 extra field (0xFFFFFFFF in the record), as large archives do.
        var zip64Size = false
        var localName: String? = nil
        var localMethod: UInt16? = nil
        var localSignature: UInt32 = 0x0403_4b50
        /// Overrides the local header offset written in the central directory.
        var localOffset: UInt32? = nil
        /// Write no local header and data for this member (its directory record points at `localOffset`).
        var writeLocal = true

        static func stored(_ name: String, _ data: [UInt8]) -> Member {
            Member(name: name, payload: data, crc: TestCRC32.checksum(data), uncompressedSize: UInt64(data.count))
        }

        /// A deflated member; `stream` is a raw deflate stream that inflates to `data`.
        static func deflated(_ name: String, stream: [UInt8], data: [UInt8]) -> Member {
            Member(name: name, payload: stream, method: 8, crc: TestCRC32.checksum(data), uncompressedSize: UInt64(data.count))
        }
    }

    var members: [Member]
    /// Overrides the entry count of the end record.
    var count: Int? = nil
    var directoryOffset: UInt32? = nil
    var directorySize: UInt32? = nil
    var disk: UInt16 = 0
    /// Write ZIP64 end records (with this count, if given) after the central directory.
    var zip64End = false
    var zip64Count: UInt64? = nil

    /// A local header and data on their own (to hide one member inside another's bytes).
    static func local(_ m: Member) -> [UInt8] {
        ZipBuilder(members: [m]).build().prefix(30 + m.name.utf8.count + m.payload.count).map { $0 }
    }

    func build() -> [UInt8] {
        var out: [UInt8] = []
        var offsets: [Int] = []
        for m in members {
            offsets.append(out.count)
            guard m.writeLocal else { continue }
            let name = Array((m.localName ?? m.name).utf8)
            out += le(m.localSignature) + le(UInt16(20)) + le(m.flags) + le(m.localMethod ?? m.method)
            out += le(UInt32(0)) + le(m.crc) + le(UInt32(m.payload.count)) + le(UInt32(truncatingIfNeeded: m.uncompressedSize))
            out += le(UInt16(name.count)) + le(UInt16(0)) + name + m.payload
        }
        let directoryStart = out.count
        for (m, offset) in zip(members, offsets) {
            let name = Array(m.name.utf8)
            let extra: [UInt8] = m.zip64Size ? le(UInt16(1)) + le(UInt16(8)) + le(m.uncompressedSize) : []
            out += le(UInt32(0x0201_4b50)) + le(UInt16(45)) + le(UInt16(20)) + le(m.flags) + le(m.method)
            out += le(UInt32(0)) + le(m.crc) + le(UInt32(m.payload.count))
            out += le(m.zip64Size ? UInt32.max : UInt32(truncatingIfNeeded: m.uncompressedSize))
            out += le(UInt16(name.count)) + le(UInt16(extra.count)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0))
            out += le(UInt32(0)) + le(m.localOffset ?? UInt32(offset)) + name + extra
        }
        let directoryEnd = out.count
        let n = count ?? members.count
        if zip64End {
            let record = out.count
            out += le(UInt32(0x0606_4b50)) + le(UInt64(44)) + le(UInt16(45)) + le(UInt16(45)) + le(UInt32(0)) + le(UInt32(0))
            out += le(zip64Count ?? UInt64(n)) + le(zip64Count ?? UInt64(n))
            out += le(UInt64(directoryEnd - directoryStart)) + le(UInt64(directoryStart))
            out += le(UInt32(0x0706_4b50)) + le(UInt32(0)) + le(UInt64(record)) + le(UInt32(1))
        }
        out += le(UInt32(0x0605_4b50)) + le(disk) + le(disk) + le(UInt16(truncatingIfNeeded: n)) + le(UInt16(truncatingIfNeeded: n))
        out += le(directorySize ?? UInt32(directoryEnd - directoryStart)) + le(directoryOffset ?? UInt32(directoryStart))
        out += le(UInt16(0))
        return out
    }
}

/// A raw deflate stream made of one stored block (BFINAL=1, BTYPE=00): valid deflate that inflates to `data`.
func storedDeflate(_ data: [UInt8]) -> [UInt8] {
    let n = UInt16(data.count)
    return [0x01] + le(n) + le(~n) + data
}

/// Deflate of 1 MiB of zeros (zlib level 9): 1033 bytes that inflate 1000 times over.
let zerosMiBDeflate: [UInt8] =
    [237, 193, 49, 1, 0, 0, 0, 194, 160, 245, 79, 109, 8, 95, 160] + [UInt8](repeating: 0, count: 1016) + [62, 3]

/// Deflate of a .npy header for `|u1` shape (100,) followed by 1 MiB of zeros instead of 100 bytes.
let npyBombDeflate: [UInt8] = [
    237, 200, 49, 18, 193, 64, 0, 64, 209, 104, 157, 98, 187, 101, 38, 69, 210, 58, 128, 142, 209, 164, 80, 153, 140,
    172, 81, 24, 49, 27, 52, 56, 133, 11, 139, 43, 208, 190, 215, 253, 255, 94, 55, 171, 205, 118, 82, 220, 139, 71,
    236, 210, 176, 207, 113, 17, 226, 243, 86, 199, 50, 196, 67, 159, 175, 185, 61, 239, 250, 220, 165, 239, 95, 182,
    167, 33, 141, 127, 56, 182, 151, 52, 246, 172, 174, 170, 114, 94, 134, 87, 248, 217, 180,
] + [UInt8](repeating: 0, count: 1016) + [248, 211, 7]

/// An independent CRC-32 (bitwise, zip polynomial) so tests do not check zlib's CRC with zlib's CRC.
enum TestCRC32 {
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }
}
