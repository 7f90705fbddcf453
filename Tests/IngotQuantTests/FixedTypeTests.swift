import IngotFormat
import Testing

@testable import IngotQuant

/// ggml's fixed-layout types through `Quantizer`: group size rules, refusals, thread independence, round trips.
/// (Bit-exactness against ggml itself: IngotFormatTests' KQuantKernelTests with fixtures/kquants.)
@Suite struct FixedTypeTests {
    static let types: [DType] = [.q5_0, .q5_1, .iq4_nl, .q2_k, .q3_k, .q4_k, .q5_k, .q6_k]
    static let rows = 8, cols = 512
    static let data: [Float] = {
        var r = TestRandom(seed: 11)
        return r.weights(rows: rows, cols: cols)
    }()

    /// The relative RMSE a type's reference round trip stays under on Gaussian-like weights (bits per weight
    /// 2.6 … 6.6: roughly halving per extra bit).
    static func bound(_ t: DType) -> Double {
        switch t {
        case .q2_k: 0.40
        case .q3_k: 0.20
        case .iq4_nl, .q4_k: 0.10
        case .q5_0, .q5_1, .q5_k: 0.05
        default: 0.025
        }
    }

    @Test(arguments: types, [QuantMethod.ref, .search])
    func roundTripErrorIsTheTypes(_ t: DType, _ method: QuantMethod) throws {
        let g = try #require(t.fixedGroupSize)
        let shape = [Self.rows, Self.cols]
        let q = try quantize(Self.data, shape: shape, t, group: g, method: method)
        #expect(q.count == (Self.rows * Self.cols / g) * t.unitBytes(groupSize: g))
        let y = try dequantize(q, shape: shape, t, group: g)
        let e = try measure(Self.data, y)
        let rms = (Self.data.map { Double($0 * $0) }.reduce(0, +) / Double(Self.data.count)).squareRoot()
        #expect(e.rmse / rms < Self.bound(t), "\(t) \(method): relative RMSE \(e.rmse / rms)")
    }

    @Test(arguments: types)
    func searchIsNeverWorseThanRef(_ t: DType) throws {
        let g = try #require(t.fixedGroupSize)
        let shape = [Self.rows, Self.cols]
        let ref = try roundTripError(Self.data, shape: shape, t, group: g, method: .ref)
        let search = try roundTripError(Self.data, shape: shape, t, group: g, method: .search)
        #expect(search.rmse <= ref.rmse * (1 + 1e-6), "\(t): search \(search.rmse) ref \(ref.rmse)")
    }

    @Test(arguments: types)
    func bytesDoNotDependOnThreads(_ t: DType) throws {
        let g = try #require(t.fixedGroupSize)
        var r = TestRandom(seed: 5)
        let x = r.weights(rows: 64, cols: 1024)  // 256 super-blocks: several chunks
        for method in [QuantMethod.ref, .search] {
            let one = try quantize(x, shape: [64, 1024], t, group: g, method: method, threads: 1)
            let two = try quantize(x, shape: [64, 1024], t, group: g, method: method, threads: 2)
            #expect(one == two, "\(t) \(method)")
        }
    }

    @Test(arguments: types)
    func otherGroupSizesAreRefused(_ t: DType) {
        #expect(throws: QuantizationError.badGroupSize(tensor: "t", groupSize: 64)) {
            _ = try quantize([Float](repeating: 1, count: 512), shape: [2, 256], t, group: 64)
        }
    }

    @Test(arguments: types)
    func nonFiniteInputIsRefusedWithItsIndex(_ t: DType) throws {
        let g = try #require(t.fixedGroupSize)
        var x = Self.data
        x[300] = .nan
        #expect(throws: QuantizationError.nonFinite(tensor: "t", index: 300)) {
            _ = try quantize(x, shape: [Self.rows, Self.cols], t, group: g)
        }
    }

    @Test(arguments: types)
    func scalesBeyondHalfAreRefusedWithTheBlock(_ t: DType) throws {
        let g = try #require(t.fixedGroupSize)
        var x = [Float](repeating: 0.01, count: 2 * Self.cols)
        for i in (3 * g)..<(4 * g) { x[i] = Float(i % 7) * 1e9 }  // block 3: a scale near 1e9 / 15
        for method in [QuantMethod.ref, .search] {
            #expect(throws: QuantizationError.scaleOverflow(tensor: "t", group: 3, groupSize: g), "\(t) \(method)") {
                _ = try quantize(x, shape: [2, Self.cols], t, group: g, method: method)
            }
        }
    }

    @Test(arguments: types)
    func importanceWeightingFavoursTheImportantColumns(_ t: DType) throws {
        let g = try #require(t.fixedGroupSize)
        // Every fourth column carries 100× the weight of the others (inside every block, so that blocks of 32 see
        // uneven weights too).
        let importance = (0..<Self.cols).map { $0 % 4 == 0 ? Float(100) : 1 }
        let shape = [Self.rows, Self.cols]
        // The search's objective mixes the importance with a term in each value's magnitude (as llama.cpp's does),
        // so the property to hold is where the accuracy goes: the important columns come out more exact.
        let important = (0..<Self.cols).map { $0 % 4 == 0 ? Float(1) : 0 }
        let plain = try roundTripError(Self.data, shape: shape, t, group: g, method: .search, weighted: important)
        let weighted = try roundTripError(Self.data, shape: shape, t, group: g, method: .search, importance: importance,
                                          weighted: important)
        #expect(weighted.rmse < plain.rmse, "\(t): important columns weighted \(weighted.rmse) plain \(plain.rmse)")
    }
}
