import CIngotKernels
import IngotFormat
import Testing

@testable import IngotQuant

/// The search kernels' instruction-set builds (portable, AVX2, AVX-512: each level the CPU runs) write the same
/// bytes, and the 32-element searches never do worse than the reference block by block.
@Suite struct SearchPathTests {
    static let fixedTypes: [UInt32] = [
        UInt32(INGOT_GGML_Q5_0), UInt32(INGOT_GGML_Q5_1), UInt32(INGOT_GGML_IQ4_NL), UInt32(INGOT_GGML_Q2_K),
        UInt32(INGOT_GGML_Q3_K), UInt32(INGOT_GGML_Q4_K), UInt32(INGOT_GGML_Q5_K), UInt32(INGOT_GGML_Q6_K),
    ]

    /// Gaussian-like rows plus blocks that take the kernels' special paths: all zero, one nonzero element, tiny
    /// (subnormal) values, values already on a 4-bit and an 8-bit grid (the exact-reference stop), large values.
    static func inputs(cols: Int) -> [Float] {
        var r = TestRandom(seed: 21)
        var x = r.weights(rows: 6, cols: cols)
        var special = [Float](repeating: 0, count: 6 * cols)
        for j in 0..<cols { special[cols + j] = j == 5 ? 0.25 : 0 }
        for j in 0..<cols { special[2 * cols + j] = Float(j % 7) * (Float.leastNormalMagnitude / 128) }
        for j in 0..<cols { special[3 * cols + j] = 0.0625 * Float((j * 7) % 16) - 0.3 }  // q4_1-like grid
        for j in 0..<cols { special[4 * cols + j] = Float((j * 37) % 255 - 127) / 512 }  // q8_0-like grid
        for j in 0..<cols { special[5 * cols + j] = 700 * r.normal() }
        x += special
        return x
    }

    static func kqSearch(_ t: UInt32, _ x: [Float], cols: Int, importance: [Float]?, simd: Int32) -> [UInt8] {
        let be = ingot_kq_block_elements(t), bb = ingot_kq_block_bytes(t)
        let nb = x.count / be
        var out = [UInt8](repeating: 0, count: nb * bb)
        var scratch = [Float](repeating: 0, count: max(1, ingot_kq_search_scratch_floats(t)))
        let r = x.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBytes { o in
                scratch.withUnsafeMutableBufferPointer { sc in
                    if let importance {
                        return importance.withUnsafeBufferPointer { imp in
                            ingot_kq_quantize_search_simd(t, s.baseAddress, o.baseAddress, nb, imp.baseAddress, cols / be, 0,
                                                          sc.baseAddress, simd)
                        }
                    }
                    return ingot_kq_quantize_search_simd(t, s.baseAddress, o.baseAddress, nb, nil, cols / be, 0, sc.baseAddress, simd)
                }
            }
        }
        #expect(r == -1)
        return out
    }

    @Test(arguments: fixedTypes)
    func fixedSearchIsTheSameOnEveryLevel(_ t: UInt32) {
        let cols = 512
        let x = Self.inputs(cols: cols)
        var r = TestRandom(seed: 22)
        let imp: [Float] = (0..<cols).map { _ in Float(r.uniform() * r.uniform()) }
        for importance in [nil, imp] {
            let portable = Self.kqSearch(t, x, cols: cols, importance: importance, simd: 0)
            for level in [Int32(1), 2] {
                let other = Self.kqSearch(t, x, cols: cols, importance: importance, simd: level)
                #expect(other == portable, "type \(t) level \(level) importance \(importance != nil)")
            }
        }
    }

    /// Q5_0 / Q5_1 score the reference halves among their candidates: block by block, the weighted error
    /// (the search's own weights) is never above the reference block's.
    @Test(arguments: [DType.q5_0, .q5_1])
    func smallSearchIsNeverWorseThanRefPerBlock(_ t: DType) throws {
        let cols = 512
        let x = Self.inputs(cols: cols)
        let shape = [x.count / cols, cols]
        let s = try dequantize(try quantize(x, shape: shape, t, group: 32, method: .search), shape: shape, t, group: 32)
        let r = try dequantize(try quantize(x, shape: shape, t, group: 32, method: .ref), shape: shape, t, group: 32)
        for b in stride(from: 0, to: x.count, by: 32) {
            var sum2: Float = 0
            for j in b..<b + 32 { sum2 += x[j] * x[j] }
            let sigma2 = Double(2 * sum2 / 32)
            var es = 0.0, er = 0.0
            for j in b..<b + 32 {
                let w = (sigma2 + Double(x[j]) * Double(x[j])).squareRoot()
                es += w * Double(x[j] - s[j]) * Double(x[j] - s[j])
                er += w * Double(x[j] - r[j]) * Double(x[j] - r[j])
            }
            #expect(es <= er * (1 + 1e-5) + 1e-30, "\(t) block \(b / 32): \(es) > \(er)")
        }
    }

    /// A group already on the type's grid comes back exactly (the reference scale reproduces it and the search
    /// keeps it), for the grouped kernels on every path.
    @Test(arguments: [KernelPath.best, .portable])
    func groupsOnTheGridComeBackExactly(_ kernels: KernelPath) throws {
        var q8 = [Float](repeating: 0, count: 64), q41 = [Float](repeating: 0, count: 64)
        for j in 0..<64 {
            q8[j] = Float((j * 37) % 255 - 127) / 256  // includes ±127/256: the reference scale is 1/256
            q41[j] = 0.125 * Float((j * 7) % 16) - 1  // min -1, step 1/8: the reference pair is exact
        }
        for (x, t) in [(q8, DType.q8_0), (q41, .q4_1)] {
            let y = try dequantize(
                try quantize(x, shape: [64], t, group: 32, method: .search, kernels: kernels), shape: [64], t, group: 32)
            #expect(y == x, "\(t) \(kernels)")
        }
    }

    /// The vectorised decoders (Q5_0, Q5_1, Q4_K, Q6_K; the rest fall back) give ingot_kq_dequantize's floats on
    /// every level, for blocks the search wrote and for random bytes with finite fields.
    @Test(arguments: fixedTypes)
    func fastDecodersMatchTheReferenceDecoder(_ t: UInt32) {
        let cols = 512
        let x = Self.inputs(cols: cols)
        var blocks = Self.kqSearch(t, x, cols: cols, importance: nil, simd: 0)
        var r = TestRandom(seed: 23)
        let bb = ingot_kq_block_bytes(t), be = ingot_kq_block_elements(t)
        var random = (0..<(64 * bb)).map { _ in UInt8(truncatingIfNeeded: Int(r.uniform() * 256)) }
        for b in 0..<64 {  // every f16 field finite: clear the exponent's top bit of each byte pair
            for k in stride(from: 1, to: bb, by: 2) { random[b * bb + k] &= 0x3f }
        }
        blocks += random
        let nb = blocks.count / bb
        var want = [Float](repeating: 0, count: nb * be)
        blocks.withUnsafeBytes { src in want.withUnsafeMutableBufferPointer { _ = ingot_kq_dequantize(t, src.baseAddress, $0.baseAddress, nb) } }
        for level in [Int32(0), 1, 2] {
            var got = [Float](repeating: .nan, count: nb * be)
            let rc = blocks.withUnsafeBytes { src in
                got.withUnsafeMutableBufferPointer { ingot_kq_dequantize_simd(t, src.baseAddress, $0.baseAddress, nb, level) }
            }
            #expect(rc == 0)
            #expect(got.map(\.bitPattern) == want.map(\.bitPattern), "type \(t) level \(level)")
        }
    }
}
