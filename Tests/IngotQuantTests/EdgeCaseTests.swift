import IngotFormat
import Testing

@testable import IngotQuant

/// Defined behaviour for the edge cases of specs/quant.md §5, one test each.
@Suite struct EdgeCaseTests {
    static let methods = QuantMethod.allCases

    /// An all-zero group stores scale 0 (and minimum 0), every code is the zero level, and it decodes to exact
    /// zeros. ggml's q4_0 scan divides +0 by -8, so its reference scale is -0 (0x8000); the search writes +0.
    @Test(arguments: blockTypes, methods)
    func allZeroGroup(_ dtype: DType, _ method: QuantMethod) throws {
        let x = [Float](repeating: 0, count: 64)
        let q = try quantize(x, shape: [64], dtype, method: method)
        let bb = dtype.unitBytes(groupSize: 32)
        for b in 0..<2 {
            let d = scaleBits(q, block: b, blockBytes: bb)
            #expect(d & 0x7fff == 0)
            #expect(d == (dtype == .q4_0 && method == .ref ? 0x8000 : 0))
            if dtype == .q4_1 { #expect(scaleBits(q, block: b, blockBytes: bb, second: true) == 0) }
            let codes = q[(b * bb + (dtype == .q4_1 ? 4 : 2))..<((b + 1) * bb)]
            #expect(codes.allSatisfy { $0 == (dtype == .q4_0 ? 0x88 : 0) })
        }
        #expect(try dequantize(q, shape: [64], dtype).allSatisfy { $0 == 0 })
    }

    /// ggml's C scan keeps the first zero it meets, so signs of zeros follow it (numpy's reductions may differ
    /// here; Ingot follows the C reference): all-zero q4_1 groups take the first element's sign as minimum.
    @Test func signedZerosFollowGGMLScan() throws {
        var x = [Float](repeating: 0, count: 32)
        x[0] = -0.0
        let q41 = try quantize(x, shape: [32], .q4_1)
        #expect(scaleBits(q41, block: 0, blockBytes: 20) == 0x0000)  // (-0) - (-0) = +0
        #expect(scaleBits(q41, block: 0, blockBytes: 20, second: true) == 0x8000)  // min = the first zero, -0
        let q40 = try quantize(x, shape: [32], .q4_0)
        #expect(scaleBits(q40, block: 0, blockBytes: 18) == 0x8000)  // max stays +0.0; +0 / -8 = -0
    }

    /// A constant group decodes to the constant within f16 precision (ref: q8_0 codes ±127, q4_0 code 0 at -8·d,
    /// q4_1 scale 0 and the constant as minimum); search is at least as close.
    @Test(arguments: blockTypes, methods)
    func constantGroup(_ dtype: DType, _ method: QuantMethod) throws {
        for c: Float in [1, -3.25, 0.007, 1234.5, 65000] where !(dtype == .q4_0 && c > 60000) {
            let x = [Float](repeating: c, count: 32)
            let y = try dequantize(try quantize(x, shape: [32], dtype, method: method), shape: [32], dtype)
            for v in y { #expect(abs(v - c) <= abs(c) / 2048, "\(dtype) \(method) \(c): \(v)") }
            if dtype == .q4_1 && method == .ref {
                let q = try quantize(x, shape: [32], dtype, method: method)
                #expect(scaleBits(q, block: 0, blockBytes: 20) == 0)
            }
        }
    }

    /// Subnormal inputs are ordinary values: a group mixing them with a normal value quantizes within the usual
    /// bound; a group of subnormals only (scale below 2^-128: ggml's 1/d would overflow) stores scale 0 and decodes
    /// to exact zeros — ref writes code 0 there, as ggml and numpy do on x86-64.
    @Test(arguments: blockTypes, methods)
    func subnormalInputs(_ dtype: DType, _ method: QuantMethod) throws {
        var x = (0..<32).map { Float($0 - 16) * 0x1p-133 }  // every value subnormal (below 2^-126)
        x += (0..<32).map { Float($0 - 16) * 0x1p-133 }
        x[40] = 1e-3
        let q = try quantize(x, shape: [64], dtype, method: method)
        let bb = dtype.unitBytes(groupSize: 32)
        #expect(scaleBits(q, block: 0, blockBytes: bb) & 0x7fff == 0)
        if method == .ref { #expect(q[(dtype == .q4_1 ? 4 : 2)..<bb].allSatisfy { $0 == 0 }) }
        let y = try dequantize(q, shape: [64], dtype)
        #expect(y[0..<32].allSatisfy { $0 == 0 })
        let step: Float = dtype == .q8_0 ? 1e-3 / 127 : dtype == .q4_0 ? 1e-3 / 8 : 1e-3 / 15
        for i in 32..<64 { #expect(abs(y[i] - x[i]) <= step * 1.01) }
    }

    /// Scales that are f16 subnormals (groups around 2^-20; q8_0's scale is then a few multiples of 2^-24). The
    /// reference keeps ggml's arithmetic (codes from the unrounded f32 scale, checked bit for bit by the fixture's
    /// "halves" case), which can decode far from the input when the scale rounds coarsely; the search scores
    /// codes against the stored half itself, so it is never worse than the reference nor than storing zeros.
    @Test(arguments: blockTypes)
    func f16SubnormalScales(_ dtype: DType) throws {
        var r = TestRandom(seed: 21)
        let x = (0..<64).map { _ in r.normal() * 0x1p-20 }
        let ref = try roundTripError(x, shape: [64], dtype, group: 32, method: .ref)
        let search = try roundTripError(x, shape: [64], dtype, group: 32, method: .search)
        let zeros = try measure(x, [Float](repeating: 0, count: 64))
        #expect(search.rmse <= ref.rmse * (1 + 1e-6))
        #expect(search.rmse <= zeros.rmse)
        let q = try quantize(x, shape: [64], dtype, method: .search)
        #expect(scaleBits(q, block: 0, blockBytes: dtype.unitBytes(groupSize: 32)) & 0x7c00 == 0)  // a subnormal half
    }

    /// A group whose scale overflows f16 is refused, naming the tensor and the group (the third here), for both
    /// methods: q8_0 past 127·65504, q4_0 past 8·65504, q4_1 a range past 15·65504 or a minimum past -65504.
    @Test(arguments: methods)
    func scaleOverflow(_ method: QuantMethod) throws {
        let cases: [(DType, Float, Float)] = [(.q8_0, 8.4e6, 1), (.q4_0, 5.3e5, 1), (.q4_1, 1.0e6, 0), (.q4_1, -7.0e4, 1)]
        for (dtype, big, fill) in cases {
            var x = [Float](repeating: fill, count: 32 * 5)
            x[2 * 32 + 9] = big
            #expect(throws: QuantizationError.scaleOverflow(tensor: "blk.0.w", group: 2, groupSize: 32)) {
                _ = try quantize(x, shape: [5, 32], dtype, method: method, name: "blk.0.w")
            }
        }
        // Just inside the limit is fine: q8_0 scale 65354.
        var ok = [Float](repeating: 1, count: 32)
        ok[3] = 8.3e6
        #expect(throws: Never.self) { _ = try quantize(ok, shape: [32], .q8_0, method: method) }
    }

    /// NaN and ±Inf are refused with the first bad element's index, even far into a tensor split over threads,
    /// and in preference to an earlier overflowing group.
    @Test(arguments: methods)
    func nonFiniteInput(_ dtype: QuantMethod) throws {
        for bad: Float in [.nan, .infinity, -.infinity, -.nan] {
            var x = [Float](repeating: 0.5, count: 64 * 4096)
            x[200_000] = bad
            x[250_001] = .nan
            #expect(throws: QuantizationError.nonFinite(tensor: "emb", index: 200_000)) {
                _ = try quantize(x, shape: [64, 4096], .q4_0, method: dtype, threads: 2, name: "emb")
            }
            x[5] = 1e9  // an overflowing group before the NaN: NaN still wins
            #expect(throws: QuantizationError.nonFinite(tensor: "emb", index: 200_000)) {
                _ = try quantize(x, shape: [64, 4096], .q8_0, method: dtype, threads: 3, name: "emb")
            }
        }
    }

    /// A row of exactly one group, and a whole-row group: both are plain rows of groups (the bytes equal those of
    /// the same values laid out flat).
    @Test(arguments: blockTypes, methods)
    func rowOfOneGroupAndWholeRowGroups(_ dtype: DType, _ method: QuantMethod) throws {
        var r = TestRandom(seed: 31)
        let x = r.weights(rows: 6, cols: 64)
        let flat = try quantize(x, shape: [384], dtype, group: 64, method: method)
        #expect(try quantize(x, shape: [6, 64], dtype, group: 64, method: method) == flat)  // G = row length
        #expect(try quantize(x, shape: [2, 3, 64], dtype, group: 64, method: method) == flat)
        let whole = try quantize(x, shape: [1, 384], dtype, group: 384, method: method)
        #expect(whole.count == dtype.unitBytes(groupSize: 384))
        let y = try dequantize(whole, shape: [1, 384], dtype, group: 384)
        let ref = try roundTripError(x, shape: [1, 384], dtype, group: 384, method: .ref)
        #expect(try measure(x, y).rmse <= ref.rmse * (1 + 1e-6))
    }

    /// Tensors with no elements give empty block buffers.
    @Test(arguments: blockTypes)
    func emptyTensors(_ dtype: DType) throws {
        #expect(try quantize([], shape: [0, 32], dtype, method: .search).isEmpty)
        #expect(try quantize([], shape: [4, 0], dtype, method: .ref).isEmpty)
        #expect(try dequantize([], shape: [0, 32], dtype).isEmpty)
    }
}
