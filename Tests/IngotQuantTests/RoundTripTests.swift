import IngotFormat
import Testing

@testable import IngotQuant

/// Quantize → dequantize on realistic rows, every type × group size (including a whole row).
@Suite struct RoundTripTests {
    static let cols = 512
    static let rows = 24
    static let data: [Float] = {
        var r = TestRandom(seed: 7)
        return r.weights(rows: rows, cols: cols)
    }()
    static let groups = [32, 64, 128, 256, cols]

    /// Every element of the reference round trip lies within the type's worst case for its group: half a code step
    /// plus what rounding the scale (and minimum) to f16 can add; q4_0 also clips the extreme opposite the sign of
    /// the largest element by one whole step (its levels run -8..7).
    @Test(arguments: blockTypes, groups)
    func refErrorWithinTypeBound(_ dtype: DType, _ g: Int) throws {
        let x = Self.data
        let q = try quantize(x, shape: [Self.rows, Self.cols], dtype, group: g, method: .ref)
        let y = try dequantize(q, shape: [Self.rows, Self.cols], dtype, group: g)
        let f16Step: Float = 1.0 / 1024  // relative spacing of halves
        for start in stride(from: 0, to: x.count, by: g) {
            let grp = x[start..<(start + g)]
            let amax = grp.map(abs).max() ?? 0
            let lo = grp.min() ?? 0, hi = grp.max() ?? 0
            let bound: Float =
                switch dtype {
                case .q8_0: amax / 127 * 0.5 + amax * f16Step
                case .q4_0: amax / 8 + amax * f16Step
                default: (hi - lo) / 15 * 0.5 + (hi - lo) * f16Step + abs(lo) * f16Step
                }
            for i in start..<(start + g) {
                #expect(abs(y[i] - x[i]) <= bound * 1.0001, "\(dtype) G=\(g) element \(i)")
            }
        }
    }

    /// The search round trip meets the same RMSE as the reference or better, on every type and group size.
    @Test(arguments: blockTypes, groups)
    func searchRoundTripBeatsRef(_ dtype: DType, _ g: Int) throws {
        let shape = [Self.rows, Self.cols]
        let ref = try roundTripError(Self.data, shape: shape, dtype, group: g, method: .ref)
        let search = try roundTripError(Self.data, shape: shape, dtype, group: g, method: .search)
        #expect(search.rmse <= ref.rmse * (1 + 1e-6), "\(dtype) G=\(g): search \(search.rmse) ref \(ref.rmse)")
        #expect(search.sqnrDB >= ref.sqnrDB - 1e-5)
    }

    /// ggml's q8_0 and q4_0 arithmetic is idempotent: dequantized values quantize back to the same blocks. (The
    /// extreme element decodes to exactly ±127·d or -8·d, so the recomputed f32 scale is d itself, and each value
    /// lands within a few ulps of its code, far from a rounding boundary.) q4_1 has no such guarantee: max - min is
    /// recomputed with a rounding, so the scale may move by one f16 step.
    @Test(arguments: [DType.q8_0, .q4_0], groups)
    func refRequantizeReproducesBlocks(_ dtype: DType, _ g: Int) throws {
        let shape = [Self.rows, Self.cols]
        let q = try quantize(Self.data, shape: shape, dtype, group: g, method: .ref)
        let y = try dequantize(q, shape: shape, dtype, group: g)
        #expect(try quantize(y, shape: shape, dtype, group: g, method: .ref) == q)
    }

    /// Search output re-quantized by the search stays where it was, up to rounding-level moves: decoded values
    /// already sit on a grid the search can find again (its scale and codes are among the candidates).
    @Test(arguments: blockTypes)
    func searchRequantizeKeepsError(_ dtype: DType) throws {
        let shape = [Self.rows, Self.cols]
        let q = try quantize(Self.data, shape: shape, dtype, method: .search)
        let y = try dequantize(q, shape: shape, dtype)
        let again = try dequantize(try quantize(y, shape: shape, dtype, method: .search), shape: shape, dtype)
        let drift = try measure(y, again)
        let first = try measure(Self.data, y)
        #expect(drift.rmse <= first.rmse * 0.05)
    }

    @Test(arguments: blockTypes)
    func dequantizeArrayEqualsBufferForm(_ dtype: DType) throws {
        let shape = [Self.rows, Self.cols]
        let q = try quantize(Self.data, shape: shape, dtype, method: .search)
        let layout = try TensorLayout(name: "t", dtype: dtype, shape: shape, groupSize: 32)
        let a = try q.withUnsafeBytes { try BlockCodec.floats($0, layout: layout) }
        #expect(a == (try dequantize(q, shape: shape, dtype)))
    }
}
