import IngotFormat

/// Weights read from any `TensorSource` (Ingot, safetensors, …) whose tensors carry canonical names.
///
/// Every float and block dtype decodes through `BlockCodec`, the one decoder; integer tensors are not weights and
/// are refused.
///
/// Not thread-safe: it keeps one scratch buffer that converted matrices are decoded into, so a forward pass over
/// a bf16 or quantized model reuses one allocation instead of allocating each matrix.
public final class TensorSourceWeights: WeightProvider {
    public let source: any TensorSource
    private let layouts: [String: TensorLayout]
    private var scratch: [Float] = []
    /// True while `scratch` is lent to a `withMatrix` body; a nested call then decodes into its own array.
    private var lending = false
    /// Stored tensors lent to decoding steps, kept so a compressed tensor is decoded (and every tensor's checksum
    /// proven) once rather than every token; for raw tensors these are views of the mapping and cost nothing.
    private var stored: [String: TensorBuffer] = [:]

    public init(source: any TensorSource) {
        self.source = source
        var l = [String: TensorLayout](minimumCapacity: source.descriptors.count)
        for d in source.descriptors { l[d.name] = d.layout }
        layouts = l
    }

    public func shape(_ name: String) -> [Int]? { layouts[name]?.shape }

    private func layout(_ name: String) throws(ModelError) -> TensorLayout {
        guard let l = layouts[name] else { throw .missingTensor(name) }
        return l
    }

    /// Decodes `bytes` (described by `layout`) into `out`, which holds exactly `layout.elementCount` floats.
    private func decode(_ name: String, _ layout: TensorLayout, _ bytes: UnsafeRawBufferPointer,
                        into out: UnsafeMutableBufferPointer<Float>) throws {
        guard !layout.dtype.isInteger else { throw ModelError.unsupportedDType(tensor: name, dtype: layout.dtype.rawValue) }
        do { try BlockCodec.decode(bytes, layout: layout, into: out, name: name) } catch {
            throw ModelError.load(tensor: name, reason: error.description)
        }
    }

    public func matrix(_ name: String) throws -> [Float] {
        let l = try layout(name)
        let buffer = try source.load(name)
        return try [Float](unsafeUninitializedCapacity: l.elementCount) { out, count in
            try buffer.withBytes { try decode(name, l, $0, into: out) }
            count = l.elementCount
        }
    }

    public func rows(_ name: String, _ rows: [Int]) throws -> [Float] {
        let l = try layout(name)
        guard let n = l.shape.first, n > 0 else { throw ModelError.shapeMismatch(tensor: name, expected: [-1, -1], found: l.shape) }
        // A row is whole blocks: block types block the last axis, so each index of the first axis (rank ≥ 2) owns
        // byteCount / n contiguous bytes.
        guard !l.dtype.isBlockQuantized || l.shape.count >= 2 else {
            throw ModelError.shapeMismatch(tensor: name, expected: [n, -1], found: l.shape)
        }
        let rowElements = l.elementCount / n, rowBytes = l.byteCount / n
        let rowLayout: TensorLayout
        do { rowLayout = try TensorLayout(name: name, dtype: l.dtype, shape: [1] + l.shape.dropFirst(), groupSize: l.groupSize) } catch {
            throw ModelError.load(tensor: name, reason: error.description)
        }
        for r in rows where r < 0 || r >= n { throw ModelError.rowOutOfRange(tensor: name, row: r, rows: n) }
        let buffer = try source.load(name)
        return try [Float](unsafeUninitializedCapacity: rows.count * rowElements) { out, count in
            try buffer.withBytes { bytes in
                for (i, r) in rows.enumerated() {
                    let src = UnsafeRawBufferPointer(rebasing: bytes[(r * rowBytes)..<((r + 1) * rowBytes)])
                    let dst = UnsafeMutableBufferPointer(rebasing: out[(i * rowElements)..<((i + 1) * rowElements)])
                    try decode(name, rowLayout, src, into: dst)
                }
            }
            count = rows.count * rowElements
        }
    }

    public func withMatrix<R>(_ name: String, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        let l = try layout(name)
        let buffer = try source.load(name)
        #if _endian(little)
            // An aligned little-endian f32 tensor (a mapped safetensors or raw Ingot tensor) is lent as it is.
            if l.dtype == .f32, buffer.bytes.count == 4 * l.elementCount,
                Int(bitPattern: buffer.bytes.baseAddress) % MemoryLayout<Float>.alignment == 0
            {
                return try buffer.withBytes { raw in try raw.withMemoryRebound(to: Float.self) { try body($0) } }
            }
        #endif
        if lending {
            let m = try matrix(name)
            return try m.withUnsafeBufferPointer { try body($0) }
        }
        return try withScratch(l.elementCount) { out in
            try buffer.withBytes { try decode(name, l, $0, into: out) }
            // The stored (quantized / half) bytes are not needed again until the next pass: release their mapped
            // pages so a forward pass holds one decoded matrix, not the whole file, in memory.
            source.evict(name)
            return try body(UnsafeBufferPointer(out))
        }
    }

    /// Lends the first `count` floats of the reused scratch buffer (grown when needed); the caller checked `lending`.
    private func withScratch<R>(_ count: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        lending = true
        defer { lending = false }
        if scratch.count < count { scratch = [Float](repeating: 0, count: count) }
        return try scratch.withUnsafeMutableBufferPointer { try body(UnsafeMutableBufferPointer(rebasing: $0[0..<count])) }
    }

    public func withStoredMatrix<R>(_ name: String, _ body: (StoredMatrix) throws -> R) throws -> R? {
        let l = try layout(name)
        guard l.shape.count == 2, !l.dtype.isInteger, l.dtype != .f64 else { return nil }
        let buffer: TensorBuffer
        if let b = stored[name] {
            buffer = b
        } else {
            buffer = try source.load(name)
            stored[name] = buffer
            // A decoded or re-ordered copy (compressed chunks, GGUF q/k rows put back in Hugging Face order) replaces
            // the stored bytes for good: release their mapped pages so the tensor is not resident twice.
            if buffer.owner is OwnedBytes { source.evict(name) }
        }
        guard buffer.count == l.byteCount else {
            throw ModelError.load(tensor: name, reason: "\(buffer.count) bytes stored, \(l.byteCount) expected")
        }
        return try buffer.withBytes { bytes in
            try body(StoredMatrix(dtype: l.dtype, groupSize: l.groupSize, rows: l.shape[0], cols: l.shape[1], bytes: bytes))
        }
    }

    /// The layout of rows `range` and their bytes' offsets, or nil when the tensor has no row structure to slice.
    private func rowSlice(_ name: String, _ range: Range<Int>) throws -> (TensorLayout, Range<Int>, Int)? {
        let l = try layout(name)
        guard let n = l.shape.first, n > 0, l.shape.count >= 2, range.lowerBound >= 0, range.upperBound <= n, !range.isEmpty
        else { return nil }
        let rowElements = l.elementCount / n, rowBytes = l.byteCount / n
        do {
            let part = try TensorLayout(name: name, dtype: l.dtype, shape: [range.count] + l.shape.dropFirst(), groupSize: l.groupSize)
            return (part, (range.lowerBound * rowBytes)..<(range.upperBound * rowBytes), range.count * rowElements)
        } catch {
            throw ModelError.load(tensor: name, reason: error.description)
        }
    }

    /// One decode of the rows' contiguous bytes (blocks never straddle rows), instead of one per row.
    public func rowRange(_ name: String, _ range: Range<Int>) throws -> [Float] {
        guard let (part, bytesRange, count) = try rowSlice(name, range) else { return try rows(name, Array(range)) }
        let buffer = try source.load(name)
        return try [Float](unsafeUninitializedCapacity: count) { out, n in
            try buffer.withBytes { try decode(name, part, UnsafeRawBufferPointer(rebasing: $0[bytesRange]), into: out) }
            n = count
        }
    }

    /// `rowRange` decoded into the reused scratch buffer (no page faults for a fresh allocation per block).
    public func withRowRange<R>(_ name: String, _ range: Range<Int>, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        guard !lending, let (part, bytesRange, count) = try rowSlice(name, range) else {
            let m = try rowRange(name, range)
            return try m.withUnsafeBufferPointer { try body($0) }
        }
        let buffer = try source.load(name)
        return try withScratch(count) { out in
            try buffer.withBytes { try decode(name, part, UnsafeRawBufferPointer(rebasing: $0[bytesRange]), into: out) }
            return try body(UnsafeBufferPointer(out))
        }
    }
}
