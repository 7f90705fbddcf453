import IngotFormat
import IngotQuant

/// Decoded tensor values as f32, whatever the stored dtype (block-quantized ones are dequantized).
enum TensorDecoder {
    static func floats(_ buffer: TensorBuffer, layout: TensorLayout, path: String) throws -> [Float] {
        try withPath(path) {
            try buffer.withBytes { bytes in
                if layout.dtype.isBlockQuantized {
                    return try Quantizer.dequantize(bytes, layout: layout)
                }
                return try FloatConversion.toFloats(bytes, dtype: layout.dtype)
            }
        }
    }

    /// Lends a tensor's values as f32: an aligned f32 tensor straight from its buffer (no copy of a multi-GB model
    /// pass), anything else decoded first.
    static func withFloats<R>(_ buffer: TensorBuffer, layout: TensorLayout, path: String,
                              _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        if layout.dtype == .f32, buffer.bytes.count == 4 * layout.elementCount,
            Int(bitPattern: buffer.bytes.baseAddress) % MemoryLayout<Float>.alignment == 0
        {
            return try buffer.withBytes { raw in try raw.withMemoryRebound(to: Float.self) { try body($0) } }
        }
        let values = try floats(buffer, layout: layout, path: path)
        return try values.withUnsafeBufferPointer { try body($0) }
    }

    /// A tensor of `source` as f32 (the value reader `TensorDiff` takes).
    static func values(_ source: any TensorSource, _ d: TensorDescriptor) throws -> [Float] {
        try floats(try source.load(d.name), layout: d.layout, path: source.path)
    }

    /// The f32 bytes of any tensor, as an owned buffer (for exporting block types to formats without them).
    static func floatBuffer(_ buffer: TensorBuffer, layout: TensorLayout, path: String) throws -> TensorBuffer {
        let values = try floats(buffer, layout: layout, path: path)
        return values.withUnsafeBytes { TensorBuffer(copying: $0) }
    }
}
