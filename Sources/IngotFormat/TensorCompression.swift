/// The chunked encoding as a library call, for the writer and for benchmarks that time the codec alone.
public enum TensorCompression {
    /// Encodes a tensor's decoded bytes. Returns nil when compression does not save `options.minSaving` (the
    /// tensor should then be stored raw).
    public static func compress(_ bytes: UnsafeRawBufferPointer, layout: TensorLayout, options: CompressionOptions,
                                threads: Int = Parallel.cpuCount) throws -> (encoding: Encoding, stored: [UInt8])? {
        try options.checkChunkBytes()
        guard layout.byteCount > 0 else { return nil }
        let unit = layout.unitBytes
        let chunk = max(unit, options.chunkBytes / unit * unit)
        let filter: Encoding.Filter = options.byteGrouping && layout.dtype.isFloat ? .bytegroup : .none
        let g = ChunkCodec.Geometry(decodedBytes: layout.byteCount, chunkBytes: chunk,
                                    planes: filter == .bytegroup ? (layout.dtype.floatWidth ?? 1) : 1)
        let stored = try ChunkCodec.encode(bytes, geometry: g, level: options.level, threads: threads)
        guard Double(stored.count) <= Double(layout.byteCount) * (1 - options.minSaving) else { return nil }
        return (.chunked(chunkBytes: chunk, filter: filter), stored)
    }

    /// Decodes a whole chunked tensor into `dst` (exactly `layout.byteCount` bytes).
    public static func decompress(_ stored: UnsafeRawBufferPointer, layout: TensorLayout, encoding: Encoding, name: String = "tensor",
                                  into dst: UnsafeMutableRawBufferPointer, threads: Int = Parallel.cpuCount) throws(IngotError) {
        guard dst.count == layout.byteCount else { throw .unsupported("destination holds \(dst.count) bytes, tensor needs \(layout.byteCount)") }
        switch encoding {
        case .raw:
            guard stored.count == dst.count else { throw .lengthMismatch(tensor: name, stored: stored.count, expected: dst.count) }
            dst.copyMemory(from: stored)
        case let .chunked(chunkBytes, filter):
            let g = ChunkCodec.Geometry(decodedBytes: layout.byteCount, chunkBytes: chunkBytes,
                                        planes: filter == .bytegroup ? (layout.dtype.floatWidth ?? 1) : 1)
            try ChunkCodec.decode(stored, geometry: g, tensor: name, chunks: 0..<g.count, into: dst, threads: threads)
        }
    }
}

extension CompressionOptions {
    /// The requested chunk size must be one a reader accepts (specs/format.md §7.2: 1 … 64 MiB); the writer then
    /// rounds it down to a multiple of each tensor's unit. Without this check a library caller could write a file
    /// whose `chunk_size` no reader opens.
    func checkChunkBytes() throws(IngotError) {
        guard (1...Limits.maxChunkBytes).contains(chunkBytes) else {
            throw .unsupported("chunk size \(chunkBytes) is outside 1…\(Limits.maxChunkBytes)")
        }
    }
}
