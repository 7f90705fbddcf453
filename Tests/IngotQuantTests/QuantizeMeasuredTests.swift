import IngotFormat
import Testing

@testable import IngotQuant

/// Measuring while quantizing equals measuring a fully dequantized copy afterwards.
@Suite struct QuantizeMeasuredTests {
    @Test(arguments: [DType.q8_0, .q4_0, .q4_1])
    func measuringWhileQuantizingEqualsMeasuringAfterwards(dtype: DType) throws {
        var s: UInt64 = 11
        let rows = 37, cols = 96
        let values = (0..<(rows * cols)).map { _ -> Float in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return (Float(s >> 40) / Float(1 << 24) - 0.5) * 0.1
        }
        let layout = try TensorLayout(name: "w", dtype: dtype, shape: [rows, cols], groupSize: 32)
        let q = QuantizeOptions(dtype: dtype, groupSize: 32, method: .ref, threads: 2)
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
}
