import IngotFormat
import Testing

@testable import IngotQuant

/// Measuring while quantizing equals measuring a fully dequantized copy afterwards.
@Suite struct QuantizeMeasuredTests {
    static func values(_ count: Int) -> [Float] {
        var s: UInt64 = 11
        return (0..<count).map { _ -> Float in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return (Float(s >> 40) / Float(1 << 24) - 0.5) * 0.1
        }
    }

    /// Both methods, and group sizes that are and are not a multiple of the kernels' 8 lanes.
    @Test(arguments: [DType.q8_0, .q4_0, .q4_1], [(QuantMethod.ref, 32), (.ref, 96), (.ref, 12), (.search, 32)])
    func measuringWhileQuantizingEqualsMeasuringAfterwards(dtype: DType, how: (QuantMethod, Int)) throws {
        let (method, g) = how
        let rows = 37, cols = 96
        let values = Self.values(rows * cols)
        let layout = try TensorLayout(name: "w", dtype: dtype, shape: [rows, cols], groupSize: g)
        let q = QuantizeOptions(dtype: dtype, groupSize: g, method: method, threads: 2)
        let blocks = try values.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [rows, cols], name: "w", options: q) }
        let back = try blocks.withBytes { try BlockCodec.floats($0, layout: layout) }
        let a = try values.withUnsafeBufferPointer { x in try back.withUnsafeBufferPointer { try QuantError.measure(original: x, reconstructed: $0) } }
        let fused = try values.withUnsafeBufferPointer { try Quantizer.quantizeMeasured($0, shape: [rows, cols], name: "w", options: q) }
        #expect(fused.blocks.withBytes { Array($0) } == blocks.withBytes { Array($0) })
        let b = fused.error
        #expect(abs(a.rmse - b.rmse) <= 1e-12 * max(1, a.rmse))
        #expect(abs(a.sqnrDB - b.sqnrDB) < 1e-9)
        #expect(a.maxAbs == b.maxAbs)
        #expect(b.count == rows * cols)
    }

    @Test("a NaN or infinity is named by its index when measuring, as when not", arguments: [DType.q8_0, .q4_0, .q4_1])
    func nonFiniteIsNamed(dtype: DType) throws {
        for bad in [Float.nan, .infinity, -.infinity] {
            var values = Self.values(64 * 96)
            values[5000] = bad
            values[6100] = bad  // a second one later: the first is reported
            let q = QuantizeOptions(dtype: dtype, groupSize: 32, method: .ref, threads: 2)
            #expect(throws: QuantizationError.nonFinite(tensor: "w", index: 5000)) {
                try values.withUnsafeBufferPointer { try Quantizer.quantizeMeasured($0, shape: [64, 96], name: "w", options: q) }
            }
        }
    }

    @Test("a group whose scale overflows f16 is named when measuring", arguments: [DType.q8_0, .q4_0, .q4_1])
    func overflowIsNamed(dtype: DType) throws {
        var values = Self.values(64 * 96)
        for j in 0..<32 { values[40 * 32 + j] = j.isMultiple(of: 2) ? 3e38 : -3e38 }  // group 40
        let q = QuantizeOptions(dtype: dtype, groupSize: 32, method: .ref, threads: 2)
        #expect(throws: QuantizationError.scaleOverflow(tensor: "w", group: 40, groupSize: 32)) {
            try values.withUnsafeBufferPointer { try Quantizer.quantizeMeasured($0, shape: [64, 96], name: "w", options: q) }
        }
    }
}
