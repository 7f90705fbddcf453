import IngotFormat
import Testing

@testable import IngotQuant

/// The dequantizer reads bytes from files: any bytes of the right size decode without a crash, and sizes are checked
/// (with overflow checks) before memory is touched.
@Suite struct HostileDequantizeTests {
    /// Random bytes, including scales that are Inf, NaN or subnormal halves: decoding is IEEE arithmetic on them.
    @Test(arguments: blockTypes, [2, 10, 32, 256])
    func randomBytesDecode(_ dtype: DType, _ g: Int) throws {
        var r = TestRandom(seed: UInt64(g) &* 977)
        let shape = [3, g * 2]
        let layout = try TensorLayout(name: "t", dtype: dtype, shape: shape, groupSize: g)
        var bytes = (0..<layout.byteCount).map { _ in UInt8(truncatingIfNeeded: r.next()) }
        bytes[0] = 0x00
        bytes[1] = 0x7c  // +Inf scale in the first block
        let a = try dequantize(bytes, shape: shape, dtype, group: g)
        let b = try dequantize(bytes, shape: shape, dtype, group: g, kernels: .portable)
        #expect(a.count == layout.elementCount)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
    }

    /// A layout whose blocks could not exist in memory is refused by size before any read.
    @Test func hugeLayoutIsRefusedBySize() throws {
        let layout = try TensorLayout(name: "t", dtype: .q4_0, shape: [1 << 40, 32], groupSize: 32)
        #expect(throws: IngotError.self) {
            _ = try [UInt8](repeating: 0, count: 18).withUnsafeBytes { raw in
                try BlockCodec.decode(raw, layout: layout, into: UnsafeMutableBufferPointer(start: nil, count: 0))
            }
        }
    }

    /// A stored scale of +Inf decodes codes at the zero level to NaN (Inf·0) and the rest to ±Inf: defined, not a crash.
    @Test func infiniteScaleDecodesByIEEE() throws {
        var blk = [UInt8](repeating: 0, count: 34)
        blk[0] = 0x00
        blk[1] = 0x7c
        blk[3] = 1  // code 1
        let y = try dequantize(blk, shape: [32], .q8_0)
        #expect(y[0].isNaN)
        #expect(y[1] == .infinity)
    }
}
