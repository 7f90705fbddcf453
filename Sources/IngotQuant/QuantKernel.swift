internal import CIngotKernels
import IngotFormat

/// The C quantizers of one block dtype: the any-group-size kernels of q8_0/q4_0/q4_1 (quant.c) or ggml's
/// fixed-layout types (q5_0, q5_1, iq4_nl, K-quants: kquants_ref.c / kquants_search.c). Both families return -1
/// when every block was written, else the index of the first block whose f16 scale overflows.
enum QuantKernel {
    case grouped(Int32)
    case fixed(UInt32)

    /// The same dtype → kernel mapping as the decoder's (`BlockCodec.kernelType`, `DType.ggmlBlockType`).
    init(_ dtype: DType, tensor: String) throws(QuantizationError) {
        if let t = BlockCodec.kernelType(dtype) {
            self = .grouped(t)
        } else if let id = dtype.ggmlBlockType, ingot_kq_block_bytes(id) > 0 {
            self = .fixed(id)
        } else {
            throw .unsupportedDType(tensor: tensor, dtype: dtype)
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

    /// `simd`: the instruction-set level (`KernelPath.searchLevel`: 0 portable, 1 AVX2, 2 AVX-512); every level writes
    /// the same bytes.
    func search(_ x: UnsafePointer<Float>, _ y: UnsafeMutableRawPointer, _ n: Int, _ g: Int, weights: UnsafePointer<Float>?,
                groupsPerRow: Int, first: Int, scratch: UnsafeMutablePointer<Float>?, _ simd: Int32) -> Int64 {
        switch self {
        case let .grouped(t): ingot_quantize_search(t, x, y, n, g, weights, groupsPerRow, first, scratch, simd)
        case let .fixed(t): ingot_kq_quantize_search_simd(t, x, y, n, weights, groupsPerRow, first, scratch, simd)
        }
    }
}

extension QuantKernel {
    /// Decodes `n` blocks just written (the converter's error measurement): the block codec's decoder for the
    /// grouped types, the vectorised decoders of the fixed types (identical floats for finite fields).
    func decode(_ y: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>, _ n: Int, _ g: Int, dtype: DType,
                kernels: KernelPath) {
        switch self {
        case .grouped: BlockCodec.decodeBlocks(dtype, y, out, blocks: n, groupSize: g, kernels: kernels)
        case let .fixed(t): _ = ingot_kq_dequantize_simd(t, y, out, n, kernels.searchLevel)
        }
    }
}

extension KernelPath {
    /// The search kernels' `simd` argument: the selected instruction-set level (0 portable, 1 AVX2, 2 AVX-512) on the
    /// best path, 0 on the portable one.
    var searchLevel: Int32 { self == .best ? Int32(SIMDLevel.selected.rawValue) : 0 }
}
