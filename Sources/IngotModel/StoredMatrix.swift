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

/// y = W · x for one activation vector, straight from stored weights (specs/forward.md, "Decoding").
enum MatVec {
    /// Runs the product when the matrix qualifies (`isKernelReady`); false otherwise (the caller falls back to a
    /// dequantized matrix). `x` holds `cols` floats and `y` `rows`.
    static func run(_ m: StoredMatrix, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, threads: Int,
                    level: SIMDLevel = .selected) -> Bool {
        guard m.isKernelReady, let t = m.kernelType, let base = m.bytes.baseAddress else { return false }
        ingot_matvec(t, base, m.rows, m.cols, m.groupSize ?? 0, x, y, Int32(level.rawValue), Int32(threads))
        return true
    }
}
