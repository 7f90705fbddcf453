internal import CIngotKernels

/// The chunked encoding (spec "Chunked encoding"): a table of `n` little-endian u32 chunk sizes, then the chunks.
/// A chunk is a directory of `planes` entries (u8 codec, u32 stored length) followed by the plane payloads.
enum ChunkCodec {
    enum PlaneCodec: UInt8 {
        case stored = 0
        case zstd = 1
        /// Order-0 rANS (specs/entropy.md): the exponent plane's codec.
        case entropy = 2
    }

    /// Which codecs the encoder tries on each plane.
    struct PlanePolicy {
        let level: Int32
        /// zstd on float planes too (it wins on a few planes by ~0.1% but is several times slower than rANS there).
        let zstdOnFloatPlanes: Bool

        /// Float planes are coded with rANS; mantissa planes only when that saves at least 1/64, since decoding a
        /// nearly incompressible plane costs time for almost no bytes. Single-plane chunks (integers, quantized
        /// blocks) try both zstd and rANS.
        init(level: Int) {
            self.level = Int32(level)
            zstdOnFloatPlanes = level >= 10
        }
    }

    /// Chunk boundaries of one tensor, all derived from the header.
    struct Geometry {
        let decodedBytes: Int
        let chunkBytes: Int
        let planes: Int

        var count: Int { decodedBytes == 0 ? 0 : (decodedBytes - 1) / chunkBytes + 1 }
        var tableBytes: Int { count * 4 }
        func range(_ i: Int) -> Range<Int> { (i * chunkBytes)..<min(decodedBytes, (i + 1) * chunkBytes) }
        /// Largest valid stored size of chunk `i`: the directory plus every plane stored as it is.
        func cap(_ i: Int) -> Int { planes * 5 + range(i).count }
    }

    // MARK: Encoding

    /// Encodes a whole tensor; chunks are compressed in parallel, output bytes do not depend on `threads`.
    static func encode(_ src: UnsafeRawBufferPointer, geometry g: Geometry, level: Int, threads: Int) throws -> [UInt8] {
        let policy = PlanePolicy(level: level)
        let n = g.count
        var chunks = [[UInt8]](repeating: [], count: n)
        try chunks.withUnsafeMutableBufferPointer { out in
            let slots = out
            try Parallel.forEach(n, threads: threads, makeState: { try EncoderState(policy: policy, chunkBytes: g.chunkBytes) }) { i, st in
                let r = g.range(i)
                slots[i] = st.encodeChunk(UnsafeRawBufferPointer(rebasing: src[r]), planes: g.planes)
            }
        }
        var stored = [UInt8]()
        stored.reserveCapacity(g.tableBytes + chunks.reduce(0) { $0 + $1.count })
        for c in chunks { appendLE(UInt32(c.count), to: &stored) }
        for c in chunks { stored.append(contentsOf: c) }
        return stored
    }

    final class EncoderState {
        let zstd: ZstdCompressor
        let policy: PlanePolicy
        let scratch: OwnedBytes
        let packed: OwnedBytes
        let coded: OwnedBytes

        init(policy: PlanePolicy, chunkBytes: Int) throws {
            self.policy = policy
            zstd = try ZstdCompressor(level: policy.level)
            scratch = OwnedBytes(count: chunkBytes)
            packed = OwnedBytes(count: ZstdCompressor.bound(chunkBytes))
            coded = OwnedBytes(count: ingot_entropy_bound(chunkBytes))
        }

        func encodeChunk(_ chunk: UnsafeRawBufferPointer, planes: Int) -> [UInt8] {
            let planeLen = chunk.count / planes
            var source = chunk
            if planes > 1 {
                ingot_planes_split(chunk.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                   scratch.mutable.baseAddress?.assumingMemoryBound(to: UInt8.self), planeLen, planes)
                source = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(scratch.mutable)[0..<chunk.count])
            }
            // The directory (5 bytes a plane) is filled in as each plane's codec is chosen; payloads follow it.
            var out = [UInt8](repeating: 0, count: planes * 5)
            out.reserveCapacity(planes * 5 + chunk.count)
            for p in 0..<planes {
                let plane = UnsafeRawBufferPointer(rebasing: source[(p * planeLen)..<((p + 1) * planeLen)])
                let isExponent = planes > 1 && p == planes - 1
                var best: (PlaneCodec, UnsafeRawBufferPointer) = (.stored, plane)
                let flags: UInt32 = planes > 1 && !isExponent ? (6 << 16) : 0  // INGOT_ENTROPY_MIN_SAVING(6)
                let e = ingot_entropy_encode_ex(plane.baseAddress?.assumingMemoryBound(to: UInt8.self), plane.count,
                                                coded.mutable.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                                coded.mutable.count, flags)
                if e > 0, e < best.1.count {
                    best = (.entropy, UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(coded.mutable)[0..<e]))
                }
                if planes == 1 || policy.zstdOnFloatPlanes, let z = zstd.compress(plane, into: packed.mutable), z < best.1.count {
                    best = (.zstd, UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(packed.mutable)[0..<z]))
                }
                out[p * 5] = best.0.rawValue
                withUnsafeBytes(of: UInt32(best.1.count).littleEndian) { out.replaceSubrange((p * 5 + 1)..<(p * 5 + 5), with: $0) }
                out.append(contentsOf: best.1)
            }
            return out
        }
    }

    // MARK: Decoding

    /// Validates the chunk table against the stored length and returns each chunk's start within `stored`.
    static func chunkOffsets(_ stored: UnsafeRawBufferPointer, geometry g: Geometry, tensor: String) throws(IngotError) -> [Int] {
        guard stored.count >= g.tableBytes else {
            throw .badChunkTable(tensor: tensor, reason: "\(g.count) chunks need a \(g.tableBytes)-byte table, \(stored.count) bytes stored")
        }
        var offsets = [Int]()
        offsets.reserveCapacity(g.count + 1)
        var pos = g.tableBytes
        for i in 0..<g.count {
            let size = Int(readLE32(stored, at: i * 4))
            guard size <= g.cap(i) else { throw .chunkTooLarge(tensor: tensor, chunk: i, claimed: size, cap: g.cap(i)) }
            offsets.append(pos)
            pos += size  // no overflow: each size is capped by the chunk size
            guard pos <= stored.count else {
                throw .badChunkTable(tensor: tensor, reason: "chunk \(i) ends at \(pos), past the \(stored.count) stored bytes")
            }
        }
        guard pos == stored.count else {
            throw .badChunkTable(tensor: tensor, reason: "chunks account for \(pos) of \(stored.count) stored bytes")
        }
        offsets.append(pos)
        return offsets
    }

    /// Decodes chunks `chunks` into `dst`, which covers exactly their decoded bytes.
    static func decode(_ stored: UnsafeRawBufferPointer, geometry g: Geometry, tensor: String, chunks: Range<Int>,
                       into dst: UnsafeMutableRawBufferPointer, threads: Int) throws(IngotError) {
        let offsets = try chunkOffsets(stored, geometry: g, tensor: tensor)
        let base = g.range(chunks.lowerBound).lowerBound
        do {
            try Parallel.forEach(chunks.count, threads: threads, makeState: { try DecoderState(chunkBytes: g.chunkBytes) }) { k, st in
                let i = chunks.lowerBound + k
                let r = g.range(i)
                let src = UnsafeRawBufferPointer(rebasing: stored[offsets[i]..<offsets[i + 1]])
                let out = UnsafeMutableRawBufferPointer(rebasing: dst[(r.lowerBound - base)..<(r.upperBound - base)])
                try st.decodeChunk(src, into: out, planes: g.planes, tensor: tensor, index: i)
            }
        } catch let e as IngotError {
            throw e
        } catch {
            throw .io("\(error)")
        }
    }

    final class DecoderState {
        let zstd: ZstdDecompressor
        let scratch: OwnedBytes

        init(chunkBytes: Int) throws {
            zstd = try ZstdDecompressor()
            scratch = OwnedBytes(count: chunkBytes)
        }

        func decodeChunk(_ src: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, planes: Int,
                         tensor: String, index: Int) throws(IngotError) {
            let dirBytes = planes * 5
            guard src.count >= dirBytes else {
                throw .corruptChunk(tensor: tensor, chunk: index, reason: "\(src.count) bytes cannot hold a \(planes)-plane directory")
            }
            let planeLen = out.count / planes
            let target = planes > 1
                ? UnsafeMutableRawBufferPointer(rebasing: scratch.mutable[0..<out.count]) : out
            var pos = dirBytes
            for p in 0..<planes {
                let codec = src[p * 5]
                let len = Int(readLE32(src, at: p * 5 + 1))
                guard len <= planeLen else {
                    throw .chunkTooLarge(tensor: tensor, chunk: index, claimed: len, cap: planeLen)
                }
                guard pos + len <= src.count else {
                    throw .corruptChunk(tensor: tensor, chunk: index, reason: "plane \(p) runs past the chunk")
                }
                let payload = UnsafeRawBufferPointer(rebasing: src[pos..<(pos + len)])
                let dst = UnsafeMutableRawBufferPointer(rebasing: target[(p * planeLen)..<((p + 1) * planeLen)])
                switch PlaneCodec(rawValue: codec) {
                case .stored:
                    guard len == planeLen else {
                        throw .chunkSizeMismatch(tensor: tensor, chunk: index, decoded: len, expected: planeLen)
                    }
                    dst.copyMemory(from: payload)
                case .entropy:
                    let r = ingot_entropy_decode(payload.baseAddress?.assumingMemoryBound(to: UInt8.self), payload.count,
                                                 dst.baseAddress?.assumingMemoryBound(to: UInt8.self), dst.count)
                    guard r == 0 else {
                        throw .corruptChunk(tensor: tensor, chunk: index, reason: "plane \(p): \(entropyError(r))")
                    }
                case .zstd:
                    do {
                        try zstd.decompress(payload, into: dst)
                    } catch {
                        switch error {
                        case let .corrupt(why):
                            throw .corruptChunk(tensor: tensor, chunk: index, reason: "plane \(p): \(why)")
                        case let .wrongSize(n):
                            throw .chunkSizeMismatch(tensor: tensor, chunk: index, decoded: n, expected: planeLen)
                        }
                    }
                case nil:
                    throw .corruptChunk(tensor: tensor, chunk: index, reason: "plane \(p) has unknown codec \(codec)")
                }
                pos += len
            }
            guard pos == src.count else {
                throw .corruptChunk(tensor: tensor, chunk: index, reason: "\(src.count - pos) bytes after the last plane")
            }
            if planes > 1 {
                ingot_planes_merge(scratch.mutable.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                   out.baseAddress?.assumingMemoryBound(to: UInt8.self), planeLen, planes)
            }
        }
    }
}

/// The entropy decoder's error codes (ingot_entropy.h), in words.
func entropyError(_ code: Int32) -> String {
    switch code {
    case -2: "entropy stream: unknown method or lane count"
    case -3: "entropy stream: bad frequency table"
    case -4: "entropy stream: initial state out of range"
    case -5: "entropy stream: ends early"
    case -6: "entropy stream: bytes after the end"
    case -7: "entropy stream: final state check failed"
    default: "entropy stream: error \(code)"
    }
}

@inline(__always) func readLE32(_ b: UnsafeRawBufferPointer, at o: Int) -> UInt32 {
    UInt32(littleEndian: b.loadUnaligned(fromByteOffset: o, as: UInt32.self))
}

@inline(__always) func readLE64(_ b: UnsafeRawBufferPointer, at o: Int) -> UInt64 {
    UInt64(littleEndian: b.loadUnaligned(fromByteOffset: o, as: UInt64.self))
}

@inline(__always) func appendLE<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
    withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
}
