internal import CIngotKernels
import IngotFormat

/// A weight matrix [rows, cols] as stored (f32, f16, bf16 or a block type), lent by a `WeightProvider` so a decoding
/// step multiplies it by one activation vector without dequantizing it first.
public struct StoredMatrix {
    public let dtype: DType
    /// Elements per block for block types (nil for float types).
    public let groupSize: Int?
    public let rows: Int
    public let cols: Int
    public let bytes: UnsafeRawBufferPointer

    public init(dtype: DType, groupSize: Int?, rows: Int, cols: Int, bytes: UnsafeRawBufferPointer) {
        self.dtype = dtype
        self.groupSize = groupSize
        self.rows = rows
        self.cols = cols
        self.bytes = bytes
    }

    /// The kernel's type code, or nil for dtypes it does not take.
    var kernelType: Int32? {
        switch dtype {
        case .f32: INGOT_MV_F32
        case .f16: INGOT_MV_F16
        case .bf16: INGOT_MV_BF16
        case .q8_0: INGOT_MV_Q8_0
        case .q4_0: INGOT_MV_Q4_0
        case .q4_1: INGOT_MV_Q4_1
        default: nil
        }
    }

    /// True when `MatVec` runs this matrix: a dtype it knows, a shape it takes (rows of whole 16-element lanes and
    /// whole blocks) and exactly rows × row bytes of storage.
    var isKernelReady: Bool {
        guard let t = kernelType, rows > 0, cols > 0 else { return false }
        let rb = ingot_matvec_row_bytes(t, cols, groupSize ?? 0)
        guard rb > 0, let total = Checked.mul(rows, rb) else { return false }
        return total == bytes.count
    }
}

/// How a decoding step multiplies block-quantized weights by its activation vector.
public enum DecodeActivations: String, Sendable, CaseIterable {
    /// f32 activations against blocks dequantized value by value: the math of prefill and of transformers running
    /// the dequantized model, to f32 rounding.
    case f32
    /// Activations rounded to 8 bits as llama.cpp's x86 CPU backend rounds them, and products as it computes them:
    /// integer dot products with q8_0/q4_0/q4_1 blocks of 32 (about three times fewer instructions than f32), and
    /// for ggml's other block types (q5_0, q5_1, iq4_nl, K-quants) the rounded activations (q8_0/q8_1 per 32, q8_K
    /// per 256) multiplied in f32. The logits move by about 1e-3 relative from f32 activations. Float weights and
    /// other block sizes still use f32 activations.
    case q8
}

/// y = W · x for one activation vector, straight from stored weights (specs/forward.md, "Decoding").
enum MatVec {
    /// Runs the product when the matrix qualifies (`isKernelReady`); false otherwise (the caller falls back to a
    /// dequantized matrix). `x` holds `cols` floats and `y` `rows`. With `.q8`, `scratch` receives the quantized
    /// activations.
    static func run(_ m: StoredMatrix, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, threads: Int,
                    level: SIMDLevel = .selected, activations: DecodeActivations = .f32, scratch: ScratchBuffer? = nil) -> Bool {
        if let kq = m.dtype.ggmlBlockType, let fixed = m.dtype.fixedGroupSize, let base = m.bytes.baseAddress {
            // ggml's fixed layouts: row by row through the block codec's decoder (any bytes decode to some float).
            guard m.rows > 0, m.cols % fixed == 0, let rb = Checked.mul(m.cols / fixed, m.dtype.unitBytes(groupSize: fixed)),
                Checked.mul(m.rows, rb) == m.bytes.count
            else { return false }
            // q8 activations: x as llama.cpp's dot products see it (rounded to the type's activation blocks).
            var input = x
            if activations == .q8, let scratch {
                scratch.reserve(m.cols)
                if ingot_q8_act_roundtrip(kq, x, m.cols, scratch.pointer) == 0 { input = UnsafePointer(scratch.pointer) }
            }
            return ingot_matvec_kq(kq, base, m.rows, m.cols, input, y, Int32(level.rawValue), Int32(threads)) == 0
        }
        guard m.isKernelReady, let t = m.kernelType, let base = m.bytes.baseAddress else { return false }
        if activations == .q8, let scratch, m.groupSize == 32, [.q8_0, .q4_0, .q4_1].contains(m.dtype) {
            let bytes = ingot_q8_act_bytes(m.cols)
            if bytes > 0 {
                scratch.reserve(bytes / MemoryLayout<Float>.size + 1)
                ingot_q8_act_quantize(x, m.cols, scratch.pointer, Int32(level.rawValue))
                if ingot_matvec_q8(t, base, m.rows, m.cols, scratch.pointer, y, Int32(level.rawValue), Int32(threads)) == 0 {
                    return true
                }
            }
        }
        ingot_matvec(t, base, m.rows, m.cols, m.groupSize ?? 0, x, y, Int32(level.rawValue), Int32(threads))
        return true
    }
}
