internal import CZstd

/// A zstd compression context, reused across chunks by one thread. Owns its C state (freed in `deinit`); every
/// zstd return code is checked and mapped to a Swift error.
final class ZstdCompressor {
    private let ctx: OpaquePointer
    let level: Int32

    init(level: Int32) throws(IngotError) {
        guard let c = ZSTD_createCCtx() else { throw .io("zstd: cannot allocate a compression context") }
        ctx = c
        self.level = level
    }

    deinit { ZSTD_freeCCtx(ctx) }

    static func bound(_ n: Int) -> Int { ZSTD_compressBound(n) }

    /// Compresses `src` into `dst`; nil when it does not fit (the caller then stores the bytes as they are).
    func compress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) -> Int? {
        let r = ZSTD_compressCCtx(ctx, dst.baseAddress, dst.count, src.baseAddress, src.count, level)
        return ZSTD_isError(r) != 0 ? nil : r
    }

    static var levelRange: ClosedRange<Int> { Int(ZSTD_minCLevel())...Int(ZSTD_maxCLevel()) }
}

/// A zstd decompression context. Decoding insists on exactly one standard frame (magic 28 B5 2F FD) whose content
/// size is `dst.count`.
final class ZstdDecompressor {
    private let ctx: OpaquePointer

    init() throws(IngotError) {
        guard let c = ZSTD_createDCtx() else { throw .io("zstd: cannot allocate a decompression context") }
        ctx = c
    }

    deinit { ZSTD_freeDCtx(ctx) }

    enum Failure: Error {
        case corrupt(String)
        case wrongSize(Int)
    }

    /// The magic of a standard zstd frame (RFC 8878 §3.1.1), little-endian 0xFD2FB528.
    static let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    func decompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws(Failure) {
        // libzstd also decodes skippable frames and, where built with legacy support (Debian's is), the frames of
        // zstd 0.5–0.7 (magics 25…27 B5 2F FD). The format allows only the standard frame: check its magic first.
        guard src.count >= 4, src[0] == Self.magic[0], src[1] == Self.magic[1], src[2] == Self.magic[2],
            src[3] == Self.magic[3]
        else { throw .corrupt("not a standard zstd frame (magic 28 B5 2F FD)") }
        let frameSize = ZSTD_findFrameCompressedSize(src.baseAddress, src.count)
        if ZSTD_isError(frameSize) != 0 { throw .corrupt(String(cString: ZSTD_getErrorName(frameSize))) }
        guard frameSize == src.count else { throw .corrupt("data after the zstd frame") }
        let content = ZSTD_getFrameContentSize(src.baseAddress, src.count)
        // ZSTD_CONTENTSIZE_UNKNOWN / _ERROR are the two largest UInt64 values.
        if content >= UInt64.max - 1 { throw .corrupt("zstd frame without a content size") }
        guard content == UInt64(dst.count) else { throw .wrongSize(content > UInt64(Int.max) ? Int.max : Int(content)) }
        let r = ZSTD_decompressDCtx(ctx, dst.baseAddress, dst.count, src.baseAddress, src.count)
        if ZSTD_isError(r) != 0 { throw .corrupt(String(cString: ZSTD_getErrorName(r))) }
        guard r == dst.count else { throw .wrongSize(r) }
    }
}
