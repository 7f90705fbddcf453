import Testing
@testable import IngotFormat

/// The zstd codec's frame rules (specs/format.md §7.2, "Codec 1"): exactly one standard frame that records its
/// content size, no dictionary, a window of at most 2^31 bytes. Each frame here is written by hand and holds
/// 64 zero bytes (the plane of `chunkedFile`), so only the rule under test differs from a valid frame.
extension TensorDataBadFileTests {
    /// A standard frame: header descriptor `fhd`, then `header` (window descriptor, dictionary id, content size as
    /// the descriptor says), one last RLE block of 64 zero bytes, then `tail` (a content checksum).
    func handFrame(fhd: UInt8, header: [UInt8], tail: [UInt8] = []) -> [UInt8] {
        let block = UInt32(1) | (1 << 1) | (64 << 3)  // last block, type 1 (RLE), 64 bytes
        return [0x28, 0xB5, 0x2F, 0xFD, fhd] + header
            + [UInt8(block & 0xFF), UInt8((block >> 8) & 0xFF), UInt8(block >> 16), 0x00] + tail
    }

    func zstdPlaneError(_ frame: [UInt8]) -> IngotError? { readError(chunkedFile(codec: 1, plane: frame)) }

    @Test func handWrittenFrameDecodes() {
        // Single segment, 1-byte content size 64.
        #expect(zstdPlaneError(handFrame(fhd: 0x20, header: [64])) == nil)
    }

    @Test func legacyFrameIsRejected() {
        // A zstd 0.7 frame (magic 27 B5 2F FD) of 64 zero bytes: libzstd decodes it, the format does not allow it.
        let legacy: [UInt8] = [0x27, 0xB5, 0x2F, 0xFD, 0x20, 64, 0x80, 0x00, 0x40, 0x00, 0xC0, 0x00, 0x00]
        #expect(zstdPlaneError(legacy)
                == .corruptChunk(tensor: "w", chunk: 0, reason: "plane 0: not a standard zstd frame (magic 28 B5 2F FD)"))
    }

    @Test func skippableFrameIsRejected() {
        let skippable: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 4, 0, 0, 0, 1, 2, 3, 4]
        #expect(zstdPlaneError(skippable)
                == .corruptChunk(tensor: "w", chunk: 0, reason: "plane 0: not a standard zstd frame (magic 28 B5 2F FD)"))
    }

    @Test func frameWithoutContentSizeIsRejected() {
        // Not single segment, no content size field: window descriptor only (window 1 KiB).
        #expect(zstdPlaneError(handFrame(fhd: 0x00, header: [0x00]))
                == .corruptChunk(tensor: "w", chunk: 0, reason: "plane 0: zstd frame without a content size"))
    }

    @Test func frameWithDictionaryIsRejected() {
        // Single segment, 1-byte Dictionary_ID 5, content size 64.
        guard case .corruptChunk(tensor: "w", chunk: 0, reason: _) = zstdPlaneError(handFrame(fhd: 0x21, header: [5, 64])) else {
            Issue.record("a frame that needs a dictionary must not decode"); return
        }
        // A Dictionary_ID field holding 0 means no dictionary.
        #expect(zstdPlaneError(handFrame(fhd: 0x21, header: [0, 64])) == nil)
    }

    @Test func windowUpTo2To31IsAccepted() {
        // Not single segment, 4-byte content size 64; window descriptor exponent e gives 2^(10+e) bytes.
        func frame(windowLog: Int) -> [UInt8] { handFrame(fhd: 0x80, header: [UInt8((windowLog - 10) << 3), 64, 0, 0, 0]) }
        #expect(zstdPlaneError(frame(windowLog: 10)) == nil)
        #expect(zstdPlaneError(frame(windowLog: 31)) == nil)
        // Window log 31 with the largest mantissa (7): 2^31 + 7·2^28 bytes, still accepted.
        #expect(zstdPlaneError(handFrame(fhd: 0x80, header: [UInt8((31 - 10) << 3) | 7, 64, 0, 0, 0])) == nil)
        guard case .corruptChunk(tensor: "w", chunk: 0, reason: _) = zstdPlaneError(frame(windowLog: 32)) else {
            Issue.record("a window over 2^31 bytes must be refused"); return
        }
    }

    @Test func contentChecksumMismatchIsRejected() {
        // Single segment, checksum flag, content size 64, then a wrong 4-byte checksum.
        guard case .corruptChunk(tensor: "w", chunk: 0, reason: _) = zstdPlaneError(handFrame(fhd: 0x24, header: [64], tail: [0, 0, 0, 0])) else {
            Issue.record("a frame whose content checksum does not match must not decode"); return
        }
    }
}
