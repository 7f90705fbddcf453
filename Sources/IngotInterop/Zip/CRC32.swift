internal import CZlib

/// CRC-32 (the zip polynomial) from zlib.
enum CRC32 {
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt = crc32(0, nil, 0)
        var offset = 0
        // zlib takes a 32-bit length: feed entries larger than 4 GiB in pieces.
        while offset < bytes.count {
            let n = min(bytes.count - offset, 1 << 30)
            crc = crc32(crc, bytes.baseAddress.map { ($0 + offset).assumingMemoryBound(to: Bytef.self) }, uInt(n))
            offset += n
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
