internal import CIngotKernels
import IngotFormat

/// The C quantizers of one block dtype: the any-group-size kernels of q8_0/q4_0/q4_1 (quant.c) or ggml's
/// fixed-layout types (q5_0, q5_1, iq4_nl, K-quants: kquants_ref.c / kquants_search.c). Both families return -1
/// when every block was written, else the index of the first block whose f16 scale overflows.
enum QuantKernel {
    case grouped(Int32)
    case fixed(UInt32)

    init(_ dtype: DType, tensor: String) throws(QuantizationError) {
        switch dtype {
        case .q8_0: self = .grouped(INGOT_Q8_0)
        case .q4_0: self = .grouped(INGOT_Q4_0)
        case .q4_1: self = .grouped(INGOT_Q4_1)
        default:
            guard let id = dtype.ggmlBlockType, ingot_kq_block_bytes(id) > 0 else {
                throw .unsupportedDType(tensor: tensor, dtype: dtype)
            }
            self = .fixed(id)
        }
    }

    func scratchFloats(_ g: Int) -> Int {
        switch self {
        case .grouped: ingot_quant_search_scratch_floats(g)
        case let .fixed(t): ingot_kq_search_scratch_floats(t)
        }
    }

    func ref(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ n: Int, _ g: Int, _ simd: Int32) -> Int64 {
        switch self {
        case let .grouped(t): ingot_quantize_ref(t, x, y, n, g, simd)
        case let .fixed(t): ingot_kq_quantize_ref(t, x, y, n)
        }
    }

    func search(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ n: Int, _ g: Int, weights: UnsafePointer<Float>?,
                groupsPerRow: Int, first: Int, scratch: UnsafeMutablePointer<Float>?, _ simd: Int32) -> Int64 {
        switch self {
        case let .grouped(t): ingot_quantize_search(t, x, y, n, g, weights, groupsPerRow, first, scratch, simd)
        case let .fixed(t): ingot_kq_quantize_search(t, x, y, n, weights, groupsPerRow, first, scratch)
        }
    }
}
