import Testing
internal import CIngotKernels
internal import CZstd
@testable import IngotFormat

/// Rules checked when tensor data is read: checksums and the chunked encoding.
@Suite struct TensorDataBadFileTests {
    /// Opens `bytes` as a file and decodes + verifies every tensor, returning the first error.
    func readError(_ bytes: [UInt8]) -> IngotError? {
        let dir = TempDir()
        let p = dir.file("x.ingot")
        writeBytes(bytes, to: p)
        do {
            let f = try IngotFile(path: p)
            for t in f.tensors { try f.verify(t) }
            return nil
        } catch {
            return ingotError(error)
        }
    }

    func zstdFrame(_ payload: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(payload.count))
        let n = ZSTD_compress(&out, out.count, payload, payload.count, 3)
        return Array(out.prefix(n))
    }

    /// A one-chunk, one-plane chunked tensor of 64 zero bytes (f32 [16]) with the given plane.
    func chunkedFile(codec: UInt8, plane: [UInt8], tableSize: UInt32? = nil, decodedChecksumOf: [UInt8]? = nil) -> [UInt8] {
        var chunk: [UInt8] = [codec]
        appendLE(UInt32(plane.count), to: &chunk)
        chunk += plane
        var stored = [UInt8]()
        appendLE(tableSize ?? UInt32(chunk.count), to: &stored)
        stored += chunk
        let sum = XXH3.hexString(XXH3.hash(decodedChecksumOf ?? [UInt8](repeating: 0, count: 64)))
        let enc = "{\"type\":\"chunked\",\"chunk_size\":1048576,\"filter\":\"none\"}"
        return craft(header: header([row("w", shape: [16], length: stored.count, xxh3: sum, encoding: enc)]), data: stored)
    }

    /// A skewed 64-byte plane (mostly zeros) and its rANS stream.
    func entropyPlane() -> (plane: [UInt8], stream: [UInt8]) {
        let plane = (0..<64).map { UInt8($0 % 9 == 0 ? 3 : 0) }
        var out = [UInt8](repeating: 0, count: ingot_entropy_bound(64))
        let n = ingot_entropy_encode_ex(plane, 64, &out, out.count, 1)  // INGOT_ENTROPY_FORCE: tiny input
        return (plane, Array(out.prefix(n)))
    }

    @Test func validEntropyPlaneDecodes() {
        let (plane, stream) = entropyPlane()
        #expect(!stream.isEmpty)
        #expect(readError(chunkedFile(codec: 2, plane: stream, decodedChecksumOf: plane)) == nil)
    }

    @Test func corruptEntropyPlane() {
        var (plane, stream) = entropyPlane()
        stream.removeLast()
        guard case let .corruptChunk(tensor: "w", chunk: 0, reason: why) = readError(chunkedFile(codec: 2, plane: stream, decodedChecksumOf: plane)) else {
            Issue.record("expected a corrupt chunk"); return
        }
        #expect(why.hasPrefix("plane 0: entropy stream"))
    }

    @Test func validChunkedTensorDecodes() {
        #expect(readError(chunkedFile(codec: 1, plane: zstdFrame([UInt8](repeating: 0, count: 64)))) == nil)
    }

    @Test func rawTensorChecksumMismatch() throws {
        let dir = TempDir()
        var f = try writeContainer([("w", weights(100))], in: dir)
        f[f.count - 1] ^= 0x55
        guard case .tensorChecksumMismatch(tensor: "w", expected: _, actual: _) = readError(f) else {
            Issue.record("expected a checksum mismatch"); return
        }
    }

    @Test func compressedTensorChecksumMismatch() throws {
        // A plane stored uncompressed decodes fine but to different bytes than the checksum covers.
        let f = chunkedFile(codec: 0, plane: [UInt8](repeating: 1, count: 64))
        guard case .tensorChecksumMismatch(tensor: "w", expected: _, actual: _) = readError(f) else {
            Issue.record("expected a checksum mismatch"); return
        }
    }

    @Test func corruptZstdChunk() {
        var frame = zstdFrame([UInt8](repeating: 0, count: 64))
        frame[frame.count - 2] ^= 0xff
        guard case .corruptChunk(tensor: "w", chunk: 0, reason: _) = readError(chunkedFile(codec: 1, plane: frame)) else {
            Issue.record("expected a corrupt chunk"); return
        }
    }

    @Test func chunkDecodingToWrongSize() {
        let frame = zstdFrame([UInt8](repeating: 0, count: 60))
        #expect(readError(chunkedFile(codec: 1, plane: frame)) == .chunkSizeMismatch(tensor: "w", chunk: 0, decoded: 60, expected: 64))
    }

    @Test func storedPlaneOfWrongSize() {
        #expect(readError(chunkedFile(codec: 0, plane: [UInt8](repeating: 0, count: 60)))
                == .chunkSizeMismatch(tensor: "w", chunk: 0, decoded: 60, expected: 64))
    }

    @Test func chunkTableClaimsMoreThanCap() {
        // A 64-byte chunk with one plane can never need more than 5 + 64 bytes.
        #expect(readError(chunkedFile(codec: 0, plane: [UInt8](repeating: 0, count: 64), tableSize: 70))
                == .chunkTooLarge(tensor: "w", chunk: 0, claimed: 70, cap: 69))
    }

    @Test func planeClaimsMoreThanCap() {
        var chunk: [UInt8] = [0]
        appendLE(UInt32(1_000_000), to: &chunk)
        chunk += [UInt8](repeating: 0, count: 60)
        var stored = [UInt8]()
        appendLE(UInt32(chunk.count), to: &stored)
        stored += chunk
        let enc = "{\"type\":\"chunked\",\"chunk_size\":1048576,\"filter\":\"none\"}"
        let f = craft(header: header([row("w", shape: [16], length: stored.count, encoding: enc)]), data: stored)
        #expect(readError(f) == .chunkTooLarge(tensor: "w", chunk: 0, claimed: 1_000_000, cap: 64))
    }

    @Test func chunkTableNotCoveringStoredBytes() {
        let f = chunkedFile(codec: 0, plane: [UInt8](repeating: 0, count: 64), tableSize: 60)
        #expect(readError(f) == .badChunkTable(tensor: "w", reason: "chunks account for 64 of 73 stored bytes"))
    }

    @Test func unknownPlaneCodec() {
        #expect(readError(chunkedFile(codec: 9, plane: [UInt8](repeating: 0, count: 64)))
                == .corruptChunk(tensor: "w", chunk: 0, reason: "plane 0 has unknown codec 9"))
    }

    @Test func trailingBytesInZstdPlane() {
        let frame = zstdFrame([UInt8](repeating: 0, count: 64)) + [0, 0]
        #expect(readError(chunkedFile(codec: 1, plane: frame))
                == .corruptChunk(tensor: "w", chunk: 0, reason: "plane 0: data after the zstd frame"))
    }
}
