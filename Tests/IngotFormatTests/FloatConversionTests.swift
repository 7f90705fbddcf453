import Testing
internal import CIngotKernels
@testable import IngotFormat

@Suite struct FloatConversionTests {
    func toHalf(_ v: [Float]) -> [UInt16] {
        var out = [UInt16](repeating: 0, count: v.count)
        v.withUnsafeBufferPointer { s in out.withUnsafeMutableBytes { ingot_f32_to_f16(s.baseAddress, $0.baseAddress, v.count) } }
        return out
    }
    func toBF16(_ v: [Float]) -> [UInt16] {
        var out = [UInt16](repeating: 0, count: v.count)
        v.withUnsafeBufferPointer { s in out.withUnsafeMutableBytes { ingot_f32_to_bf16(s.baseAddress, $0.baseAddress, v.count) } }
        return out
    }

    @Test func everyHalfWidensExactly() throws {
        let all = (0...UInt16.max).map { $0 }
        let got = try all.withUnsafeBytes { try FloatConversion.toFloats($0, dtype: .f16) }
        for (h, f) in zip(all, got) {
            let want = Float(Float16(bitPattern: h))
            #expect(f.bitPattern == want.bitPattern || (f.isNaN && want.isNaN), "half 0x\(String(h, radix: 16))")
        }
    }

    @Test func halfNarrowingMatchesSwiftRoundToNearestEven() {
        var s: UInt64 = 99
        var values: [Float] = (0..<200_000).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Float(bitPattern: UInt32(truncatingIfNeeded: s >> 32))
        }
        // Exact ties and boundaries: halfway between halves, the overflow edge, subnormal edges.
        values += [65504, 65519.99, 65520, 1 + 1.0 / 2048, 1 + 3.0 / 2048, 5.960464477539063e-08, 2.9802322387695312e-08,
                   2.9802326e-08, 6.097555e-05, -0.0, .infinity, -.infinity]
        let got = toHalf(values)
        for (v, h) in zip(values, got) where !v.isNaN {
            #expect(h == Float16(v).bitPattern, "f32 0x\(String(v.bitPattern, radix: 16))")
        }
    }

    @Test func nanStaysNaNWhenNarrowed() {
        let nans: [Float] = [.nan, -.nan, Float(bitPattern: 0x7f800001), Float(bitPattern: 0xffc00123)] + [Float](repeating: .nan, count: 9)
        for h in toHalf(nans) { #expect(Float16(bitPattern: h).isNaN) }
        for b in toBF16(nans) { #expect(Float(bitPattern: UInt32(b) << 16).isNaN) }
        #expect(toHalf([-.nan])[0] & 0x8000 != 0)
        #expect(toBF16([Float(bitPattern: 0x7f800001)])[0] == 0x7fc0)
    }

    @Test func bf16NarrowingRoundsToNearestEven() {
        // 1 + 2^-8 is halfway between bf16 neighbours 1 and 1 + 2^-7: ties to even (1).
        #expect(toBF16([1 + 1.0 / 256]) == [0x3f80])
        #expect(toBF16([1 + 3.0 / 256]) == [0x3f82])
        #expect(toBF16([Float(bitPattern: 0x3f808001)]) == [0x3f81])
        #expect(toBF16([.infinity, -.infinity, Float.greatestFiniteMagnitude]) == [0x7f80, 0xff80, 0x7f80])
    }

    @Test func castRoundTripsThroughOwnedBuffers() throws {
        let v: [Float] = [0.1, -2.5, 65504, 1e-8, .infinity]
        let half = try v.withUnsafeBytes { try FloatConversion.cast($0, from: .f32, to: .f16) }
        let back = try FloatConversion.toFloats(half.bytes, dtype: .f16)
        #expect(back == v.map { Float(Float16($0)) })
    }

    @Test func castRefusesIntegers() {
        let v: [Int32] = [1, 2]
        #expect(throws: IngotError.self) { try v.withUnsafeBytes { try FloatConversion.cast($0, from: .i32, to: .f16) } }
    }

    @Test func bytePlanesAreInverse() {
        for width in [2, 4, 8] {
            let n = 1000
            let src = (0..<(n * width)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 3) }
            var planes = [UInt8](repeating: 0, count: src.count), back = planes
            ingot_planes_split(src, &planes, n, width)
            ingot_planes_merge(planes, &back, n, width)
            #expect(back == src)
        }
    }

    @Test func bytePlaneSplitMatchesTheSpecDefinition() {
        // The spec's definition, element by element: rotate left one bit, plane p = byte p. The C kernels use SIMD
        // for the bulk and a scalar tail, so use a count that is not a multiple of 16.
        var s: UInt64 = 3
        for width in [2, 4, 8] {
            let n = 1000 + 7
            let src = (0..<(n * width)).map { _ -> UInt8 in s = s &* 6364136223846793005 &+ 1; return UInt8(truncatingIfNeeded: s >> 56) }
            var want = [UInt8](repeating: 0, count: src.count)
            for i in 0..<n {
                var v: UInt64 = 0
                for k in 0..<width { v |= UInt64(src[i * width + k]) << (8 * UInt64(k)) }
                let bits = UInt64(8 * width)
                let mask: UInt64 = bits == 64 ? ~0 : (1 << bits) - 1
                let r = ((v << 1) | (v >> (bits - 1))) & mask
                for k in 0..<width { want[k * n + i] = UInt8(truncatingIfNeeded: r >> (8 * UInt64(k))) }
            }
            var got = [UInt8](repeating: 0, count: src.count)
            ingot_planes_split(src, &got, n, width)
            #expect(got == want, "width \(width)")
        }
    }

    @Test func bytePlaneSplitPutsExponentInTopPlane() {
        // bf16 1.0 = 0x3f80: rotated left by one = 0x7f00, so the top plane holds the exponent 0x7f.
        var planes = [UInt8](repeating: 0, count: 2)
        ingot_planes_split([0x80, 0x3f], &planes, 1, 2)
        #expect(planes == [0x00, 0x7f])
    }

    @Test func statisticsCountNaNAndInfApart() throws {
        let v: [Float] = [1, 2, 3, .nan, .infinity, -.infinity]
        let s = try v.withUnsafeBytes { try TensorStats.compute($0, dtype: .f32) }
        #expect(s.count == 6 && s.nanCount == 1 && s.infCount == 2)
        #expect(s.min == 1 && s.max == 3 && s.mean == 2)
        #expect(abs(s.std - (2.0 / 3).squareRoot()) < 1e-12)
    }
}
