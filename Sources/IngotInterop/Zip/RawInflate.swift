internal import CZlib

/// Raw deflate (no zlib or gzip wrapper: zip's method 8) decoding with zlib, into a buffer of a size fixed in
/// advance. Output never grows: a stream that has more to give than the buffer holds is reported, not followed,
/// so a zip bomb cannot allocate past the size its entry declares.
enum RawInflate {
    enum Failure: Error, Equatable {
        case corrupt(String)
        /// The stream produces more than `output.count` bytes.
        case tooLarge
        /// The stream ends after `produced` bytes, fewer than `output.count`.
        case tooSmall(produced: Int)
    }

    /// Inflates `input` into exactly all of `output`; the stream must end there and consume all of `input`.
    static func exactly(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(Failure) {
        let (produced, ended) = try run(input, into: output, probeForMore: true)
        guard ended else { throw .corrupt("the stream does not end") }
        guard produced == output.count else { throw .tooSmall(produced: produced) }
    }

    /// Inflates the first `output.count` bytes (fewer when the stream ends first) and returns how many it got.
    /// The rest of the stream is not looked at (the CRC is checked when the whole entry is read).
    static func prefix(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(Failure) -> Int {
        try run(input, into: output, probeForMore: false).produced
    }

    /// The decoding loop. zlib's counters are 32-bit, so input and output are fed in pieces of at most 1 GiB.
    /// With `probeForMore`, once `output` is full the stream is driven into a one-byte scratch buffer: any byte
    /// landing there means the stream is longer than the output.
    private static func run(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                            probeForMore: Bool) throws(Failure) -> (produced: Int, ended: Bool) {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt("zlib could not start (out of memory)")
        }
        defer { inflateEnd(&stream) }
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
        defer { scratch.deallocate() }
        let piece = 1 << 30
        var consumed = 0
        var produced = 0
        while true {
            let full = produced == output.count
            if full && !probeForMore { return (produced, false) }
            let inCount = min(input.count - consumed, piece)
            let outCount = full ? 1 : min(output.count - produced, piece)
            stream.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: ($0 + consumed).assumingMemoryBound(to: Bytef.self)) }
            stream.avail_in = uInt(inCount)
            let outBase = full ? scratch : output.baseAddress.map { $0 + produced }
            stream.next_out = outBase.map { $0.assumingMemoryBound(to: Bytef.self) }
            stream.avail_out = uInt(outCount)
            let r = inflate(&stream, Z_NO_FLUSH)
            let usedIn = inCount - Int(stream.avail_in)
            let madeOut = outCount - Int(stream.avail_out)
            consumed += usedIn
            if full {
                if madeOut > 0 { throw .tooLarge }
            } else {
                produced += madeOut
            }
            switch r {
            case Z_STREAM_END:
                guard consumed == input.count else { throw .corrupt("\(input.count - consumed) bytes after the end of the stream") }
                return (produced, true)
            case Z_OK, Z_BUF_ERROR:
                // No progress with room to write means the input ran out mid-stream (zlib never stalls otherwise,
                // but a loop over hostile data must not rely on that).
                if usedIn == 0 && madeOut == 0 {
                    throw .corrupt(consumed == input.count ? "the stream is truncated" : "zlib made no progress")
                }
            default:
                throw .corrupt(stream.msg.map { String(cString: $0) } ?? "zlib error \(r)")
            }
        }
    }
}
