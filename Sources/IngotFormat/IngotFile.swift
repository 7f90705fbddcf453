internal import CIngotKernels

/// An open Ingot container. Opening maps the file and proves the whole layout from the header (O(header): tensor
/// data is not touched); tensors are then read as zero-copy views (raw) or decoded on demand (chunked).
public final class IngotFile: Sendable {
    public let path: String
    public let preamble: Preamble
    public let header: IngotHeader
    /// Absolute file offset of the data section.
    public let dataOffset: Int
    public let file: MappedFile
    private let index: [ExactKey: Int]
    /// Tensors whose XXH3 has been proven by a whole read (`load`), by index.
    private let verified = VerifiedSet()

    public convenience init(path: String) throws {
        let f = try withPath(path) { try MappedFile(path: path) }
        try self.init(mapped: f)
    }

    public init(mapped f: MappedFile) throws {
        path = f.path
        file = f
        (preamble, header, dataOffset) = try withPath(f.path) { try f.withoutReadAhead { try IngotFile.validate(f.bytes) } }
        var idx = [ExactKey: Int](minimumCapacity: header.tensors.count)
        for (i, t) in header.tensors.enumerated() { idx[ExactKey(t.name)] = i }
        index = idx
    }

    /// Every structural rule of the spec except tensor checksums (which need the data: see `verify`).
    static func validate(_ b: UnsafeRawBufferPointer) throws(IngotError) -> (Preamble, IngotHeader, Int) {
        let pre = try Preamble(b)
        let n = Int(pre.headerLength)  // capped by Preamble.init
        let headerEnd = Preamble.size + n
        guard headerEnd <= b.count else { throw .headerBeyondFile(end: headerEnd, fileSize: b.count) }
        let json = UnsafeRawBufferPointer(rebasing: b[Preamble.size..<headerEnd])
        let sum = XXH3.hash(json)
        guard sum == pre.headerChecksum else { throw .headerChecksumMismatch(expected: pre.headerChecksum, actual: sum) }
        let header = try IngotHeader(json: json, minor: Int(pre.minor))
        guard pre.dataOffset <= UInt64(Int.max), case let dataOffset = Int(pre.dataOffset),
            dataOffset % Limits.pageSize == 0, dataOffset >= headerEnd
        else { throw .badDataOffset(pre.dataOffset > UInt64(Int.max) ? Int.max : Int(pre.dataOffset)) }
        guard dataOffset <= b.count else { throw .truncated(what: "data section", need: dataOffset, have: b.count) }
        if let nz = firstNonzero(b, headerEnd..<dataOffset) { throw .nonzeroPadding(offset: nz) }
        let end = try header.validateLayout(dataOffset: dataOffset, fileSize: b.count)
        guard dataOffset + end == b.count else { throw .trailingBytes(expectedSize: dataOffset + end, fileSize: b.count) }
        var prevEnd = 0
        for t in header.tensors {
            if let nz = firstNonzero(b, (dataOffset + prevEnd)..<(dataOffset + t.offset)) { throw .nonzeroPadding(offset: nz) }
            prevEnd = t.offset + t.length
        }
        return (pre, header, dataOffset)
    }

    private static func firstNonzero(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int? {
        r.first { b[$0] != 0 }
    }

    public var tensors: [TensorEntry] { header.tensors }
    public var metadata: JSONObject { header.metadata }

    public func entry(_ name: String) -> TensorEntry? { index[ExactKey(name)].map { header.tensors[$0] } }

    /// Stored bytes of a tensor (compressed or not) inside the mapping.
    public func storedBytes(_ t: TensorEntry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[(dataOffset + t.offset)..<(dataOffset + t.offset + t.length)])
    }

    /// A zero-copy view of a raw tensor (nil for chunked ones). The buffer keeps the mapping alive.
    public func view(_ t: TensorEntry) -> TensorBuffer? {
        t.encoding == .raw ? TensorBuffer(bytes: storedBytes(t), owner: file) : nil
    }

    /// The decoded bytes, proven against the tensor's XXH3 on the first whole read (a mismatch throws
    /// `tensorChecksumMismatch` naming the tensor, so corrupt data never reaches a forward pass or a new file): a view
    /// for raw tensors, a new buffer (chunks decoded in parallel) for chunked ones.
    public func load(_ t: TensorEntry, threads: Int = Parallel.cpuCount) throws -> TensorBuffer {
        let b = try decoded(t, threads: threads)
        if let i = index[ExactKey(t.name)], !verified.contains(i) {
            try check(t, b)
            verified.insert(i)
        }
        return b
    }

    /// The decoded bytes without the checksum (callers that prove it themselves).
    private func decoded(_ t: TensorEntry, threads: Int) throws -> TensorBuffer {
        if let v = view(t) { return v }
        return try loadBytes(t, range: 0..<t.layout.byteCount, threads: threads)
    }

    private func check(_ t: TensorEntry, _ b: TensorBuffer) throws {
        let sum = b.withBytes { XXH3.hash($0) }
        guard sum == t.checksum else {
            throw FileError(path: path, IngotError.tensorChecksumMismatch(tensor: t.name, expected: t.checksum, actual: sum))
        }
    }

    /// Decoded bytes `range` of a tensor, decoding only the chunks that cover it (for row ranges of big tensors). A
    /// part of a tensor has no checksum of its own: this does not verify (compressed chunks are still checked by
    /// their codec's framing).
    public func loadBytes(_ t: TensorEntry, range: Range<Int>, threads: Int = Parallel.cpuCount) throws -> TensorBuffer {
        guard range.lowerBound >= 0, range.upperBound <= t.layout.byteCount else {
            throw FileError(path: path, IngotError.unsupported("byte range \(range) outside tensor \(quoted(t.name))"))
        }
        guard let g = t.geometry else {
            return TensorBuffer(bytes: UnsafeRawBufferPointer(rebasing: storedBytes(t)[range]), owner: file)
        }
        if range.isEmpty { return TensorBuffer(OwnedBytes(count: 0)) }
        let first = range.lowerBound / g.chunkBytes, last = (range.upperBound - 1) / g.chunkBytes
        let covered = g.range(first).lowerBound..<g.range(last).upperBound
        // Compressed chunks can claim far more than the file holds (zstd of zeros): the header's size is checked
        // against the machine before it becomes an allocation.
        try withPath(path) { try MemoryBudget.check(covered.count, for: "tensor \(quoted(t.name)) (decompressed)") }
        let out = OwnedBytes(count: covered.count)
        try withPath(path) {
            try ChunkCodec.decode(storedBytes(t), geometry: g, tensor: t.name, chunks: first..<(last + 1),
                                  into: out.mutable, threads: threads)
        }
        let slice = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(out.mutable)[(range.lowerBound - covered.lowerBound)..<(range.upperBound - covered.lowerBound)])
        return TensorBuffer(bytes: slice, owner: out)
    }

    /// Decodes a tensor and checks its XXH3-64 against the header, every time (`check` re-proves a file even if this
    /// process read it before).
    @discardableResult
    public func verify(_ t: TensorEntry, threads: Int = Parallel.cpuCount) throws -> TensorBuffer {
        let b = try decoded(t, threads: threads)
        try check(t, b)
        if let i = index[ExactKey(t.name)] { verified.insert(i) }
        return b
    }
}

extension IngotFile: TensorSource {
    public var descriptors: [TensorDescriptor] {
        header.tensors.map { TensorDescriptor(name: $0.name, layout: $0.layout) }
    }

    public func load(_ name: String) throws -> TensorBuffer {
        guard let t = entry(name) else { throw FileError(path: path, IngotError.noSuchTensor(name)) }
        return try load(t)
    }
}
