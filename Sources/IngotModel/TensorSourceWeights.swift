import IngotFormat

/// Weights read from any `TensorSource` (Ingot, safetensors, …) whose tensors carry canonical names.
///
/// Float dtypes (f32, f16, bf16, f64) convert here with `FloatConversion`; block-quantized tensors go through the
/// `dequantize` hook, so this module does not depend on the quantizer (the CLI plugs IngotQuant in). Integer
/// tensors are not weights and are refused.
///
/// Not thread-safe: it keeps one scratch buffer that converted matrices are decoded into, so a forward pass over
/// a bf16 or quantized model reuses one allocation instead of allocating each matrix.
public final class TensorSourceWeights: WeightProvider {
    /// Decodes a block-quantized tensor (or a piece of one: a run of whole rows, described by `layout`) into
    /// exactly `layout.elementCount` floats. `name` is for error messages.
    public typealias Dequantizer = (
        _ name: String, _ layout: TensorLayout, _ bytes: UnsafeRawBufferPointer, _ into: UnsafeMutableBufferPointer<Float>
    ) throws -> Void

    public let source: any TensorSource
    private let layouts: [String: TensorLayout]
    private let dequantize: Dequantizer?
    private var scratch: [Float] = []
    /// True while `scratch` is lent to a `withMatrix` body; a nested call then decodes into its own array.
    private var lending = false

    public init(source: any TensorSource, dequantize: Dequantizer? = nil) {
        self.source = source
        self.dequantize = dequantize
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
        let dtype = layout.dtype
        if dtype.isFloat {
            do { try FloatConversion.toFloat(bytes, dtype: dtype, into: out) } catch {
                throw ModelError.load(tensor: name, reason: error.description)
            }
        } else if dtype.isBlockQuantized {
            guard let dequantize else { throw ModelError.unsupportedDType(tensor: name, dtype: "\(dtype.rawValue) (no dequantizer given)") }
            try dequantize(name, layout, bytes, out)
        } else {
            throw ModelError.unsupportedDType(tensor: name, dtype: dtype.rawValue)
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
        lending = true
        defer { lending = false }
        if scratch.count < l.elementCount { scratch = [Float](repeating: 0, count: l.elementCount) }
        return try scratch.withUnsafeMutableBufferPointer { s in
            let out = UnsafeMutableBufferPointer(rebasing: s[0..<l.elementCount])
            try buffer.withBytes { try decode(name, l, $0, into: out) }
            // The stored (quantized / half) bytes are not needed again until the next pass: release their mapped
            // pages so a forward pass holds one decoded matrix, not the whole file, in memory.
            source.evict(name)
            return try body(UnsafeBufferPointer(out))
        }
    }
}
