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

    /// The f32 bytes of any tensor, as an owned buffer (for exporting block types to formats without them).
    static func floatBuffer(_ buffer: TensorBuffer, layout: TensorLayout, path: String) throws -> TensorBuffer {
        let values = try floats(buffer, layout: layout, path: path)
        return values.withUnsafeBytes { TensorBuffer(copying: $0) }
    }
}
