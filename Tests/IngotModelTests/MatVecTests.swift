import IngotFormat
import IngotQuant
import Testing

@testable import IngotModel

/// The decoding kernels (ingot_matvec): every instruction-set path gives the same bits, any thread count gives the
/// same bits, and the result is the dot product of the block codec's dequantized rows.
@Suite struct MatVecTests {
    /// (dtype, group size) pairs the kernel takes.
    static let kinds: [(DType, Int?)] = [
        (.f32, nil), (.f16, nil), (.bf16, nil), (.q8_0, 32), (.q8_0, 16), (.q4_0, 32), (.q4_0, 64), (.q4_1, 32),
        (.q4_1, 96),
    ]

    /// Random stored bytes with finite, moderate block scales (and, for float types, finite values).
    static func matrix(_ dtype: DType, _ g: Int?, rows: Int, cols: Int, seed: UInt64) throws -> (TensorLayout, [UInt8]) {
        var rng = SplitMix(seed)
        let layout = try TensorLayout(name: "w", dtype: dtype, shape: [rows, cols], groupSize: g)
        var bytes = (0..<layout.byteCount).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        func put16(_ v: Float, at i: Int) {
            let h = Float16(v).bitPattern
            bytes[i] = UInt8(h & 0xff)
            bytes[i + 1] = UInt8(h >> 8)
        }
        switch dtype {
        case .f32:
            for i in 0..<(rows * cols) {
                let b = Float(rng.uniform() * 2 - 1).bitPattern
                for k in 0..<4 { bytes[4 * i + k] = UInt8((b >> (8 * UInt32(k))) & 0xff) }
            }
        case .f16: for i in 0..<(rows * cols) { put16(Float(rng.uniform() * 2 - 1), at: 2 * i) }
        case .bf16:
            for i in 0..<(rows * cols) {
                let b = Float(rng.uniform() * 2 - 1).bitPattern >> 16
                bytes[2 * i] = UInt8(b & 0xff)
                bytes[2 * i + 1] = UInt8(b >> 8)
            }
        default:
            let bb = layout.unitBytes
            for blk in 0..<(layout.byteCount / bb) {
                put16(Float(rng.uniform() * 0.02 + 0.001), at: blk * bb)
                if dtype == .q4_1 { put16(Float(rng.uniform() * -0.1), at: blk * bb + 2) }
            }
        }
        return (layout, bytes)
    }

    static func vector(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix(seed)
        return (0..<n).map { _ in Float(rng.uniform() * 4 - 2) }
    }

    static func product(_ layout: TensorLayout, _ bytes: [UInt8], _ x: [Float], level: SIMDLevel, threads: Int,
                        activations: DecodeActivations = .f32) -> [Float]? {
        let scratch = ScratchBuffer()
        var y = [Float](repeating: .nan, count: layout.shape[0])
        let ok = bytes.withUnsafeBytes { b in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    guard let xb = xp.baseAddress, let yb = yp.baseAddress else { return false }
                    let m = StoredMatrix(dtype: layout.dtype, groupSize: layout.groupSize, rows: layout.shape[0],
                                         cols: layout.shape[1], bytes: b)
                    return MatVec.run(m, x: xb, y: yb, threads: threads, level: level, activations: activations, scratch: scratch)
                }
            }
        }
        return ok ? y : nil
    }

    @Test("every instruction-set path gives the same bits, for every stored dtype", arguments: 0..<kinds.count)
    func pathsAgree(_ k: Int) throws {
        let (dtype, g) = Self.kinds[k]
        let cols = (g ?? 16) * 6
        let (layout, bytes) = try Self.matrix(dtype, g, rows: 37, cols: cols, seed: UInt64(k + 1))
        let x = Self.vector(cols, seed: 99)
        let scalar = try #require(Self.product(layout, bytes, x, level: .scalar, threads: 1))
        for level in SIMDLevel.allCases where level.available == level {
            let y = try #require(Self.product(layout, bytes, x, level: level, threads: 1))
            #expect(y.map(\.bitPattern) == scalar.map(\.bitPattern), "\(dtype) g=\(g ?? 0): \(level) differs from scalar")
        }
    }

    @Test("the thread count does not change a bit", arguments: [DType.q4_1, .q8_0, .f32])
    func threadsAgree(_ dtype: DType) throws {
        let g: Int? = dtype.isBlockQuantized ? 32 : nil
        let (layout, bytes) = try Self.matrix(dtype, g, rows: 1027, cols: 256, seed: 7)
        let x = Self.vector(256, seed: 8)
        let one = try #require(Self.product(layout, bytes, x, level: .selected, threads: 1))
        for t in [2, 3, 8] {
            let y = try #require(Self.product(layout, bytes, x, level: .selected, threads: t))
            #expect(y.map(\.bitPattern) == one.map(\.bitPattern), "\(t) threads")
        }
    }

    @Test("the product equals the block codec's rows dotted with x", arguments: 0..<kinds.count)
    func matchesDequantizedDot(_ k: Int) throws {
        let (dtype, g) = Self.kinds[k]
        let cols = (g ?? 16) * 4
        let (layout, bytes) = try Self.matrix(dtype, g, rows: 21, cols: cols, seed: UInt64(100 + k))
        let x = Self.vector(cols, seed: 5)
        var w = [Float](repeating: 0, count: layout.elementCount)
        try bytes.withUnsafeBytes { b in try w.withUnsafeMutableBufferPointer { try BlockCodec.decode(b, layout: layout, into: $0) } }
        let y = try #require(Self.product(layout, bytes, x, level: .selected, threads: 2))
        for r in 0..<21 {
            var exact = 0.0, magnitude = 0.0
            for j in 0..<cols {
                exact += Double(w[r * cols + j]) * Double(x[j])
                magnitude += abs(Double(w[r * cols + j]) * Double(x[j]))
            }
            #expect(abs(Double(y[r]) - exact) <= 1e-6 * magnitude + 1e-30, "\(dtype) row \(r): \(y[r]) vs \(exact)")
        }
    }

    /// ggml's fixed layouts run row by row through the block codec's decoder and the f32 path: the result is the f32
    /// product of the dequantized matrix bit for bit, on every path and thread count.
    @Test("fixed-layout types equal the f32 product of their dequantized rows", arguments: [DType.q5_0, .q5_1, .iq4_nl, .q2_k, .q3_k, .q4_k, .q5_k, .q6_k])
    func fixedTypesEqualDequantizedF32(_ dtype: DType) throws {
        let g = try #require(dtype.fixedGroupSize)
        let cols = 512, rows = 300
        var rng = SplitMix(UInt64(g) + 3)
        let layout = try TensorLayout(name: "w", dtype: dtype, shape: [rows, cols], groupSize: g)
        // Blocks quantized from smooth values: every scale finite, as a real file has.
        let values = (0..<(rows * cols)).map { _ in Float(rng.uniform() * 0.2 - 0.1) }
        var bytes = [UInt8]()
        for r in 0..<rows {
            let row = Array(values[(r * cols)..<((r + 1) * cols)])
            bytes += try quantizedRow(row, dtype)
        }
        var w = [Float](repeating: 0, count: rows * cols)
        try bytes.withUnsafeBytes { b in try w.withUnsafeMutableBufferPointer { try BlockCodec.decode(b, layout: layout, into: $0) } }
        let f32 = try TensorLayout(name: "w", dtype: .f32, shape: [rows, cols], groupSize: nil)
        let wBytes = w.withUnsafeBytes { Array($0) }
        let x = Self.vector(cols, seed: 4)
        for level in SIMDLevel.allCases where level.available == level {
            let expected = try #require(Self.product(f32, wBytes, x, level: level, threads: 1))
            for t in [1, 2] {
                let y = try #require(Self.product(layout, bytes, x, level: level, threads: t))
                #expect(y.map(\.bitPattern) == expected.map(\.bitPattern), "\(dtype) \(level) \(t) threads")
            }
        }
    }

    @Test("shapes the kernel does not take are declined, not miscomputed")
    func declinesOddShapes() throws {
        // 24 columns are not whole 16-lane groups; q8_0 with 8-element blocks is not a multiple of 16.
        let (a, ab) = try Self.matrix(.f32, nil, rows: 4, cols: 24, seed: 1)
        #expect(Self.product(a, ab, Self.vector(24, seed: 2), level: .selected, threads: 1) == nil)
        let (b, bb) = try Self.matrix(.q8_0, 8, rows: 4, cols: 32, seed: 1)
        #expect(Self.product(b, bb, Self.vector(32, seed: 2), level: .selected, threads: 1) == nil)
        // 4-bit blocks of 48: the nibble halves (24) would straddle a 16-lane group.
        let (h, hb) = try Self.matrix(.q4_1, 48, rows: 4, cols: 96, seed: 1)
        #expect(Self.product(h, hb, Self.vector(96, seed: 2), level: .selected, threads: 1) == nil)
        // Storage of the wrong size is declined too (the provider throws before it gets here; this is the backstop).
        let (c, cb) = try Self.matrix(.q4_0, 32, rows: 4, cols: 64, seed: 1)
        #expect(Self.product(c, Array(cb.dropLast()), Self.vector(64, seed: 2), level: .selected, threads: 1) == nil)
    }

    @Test("arbitrary bytes (NaN and infinite scales) never crash and give the same results on every path")
    func hostileBytes() throws {
        var rng = SplitMix(42)
        for dtype in [DType.q8_0, .q4_0, .q4_1, .f16, .bf16] {
            let g: Int? = dtype.isBlockQuantized ? 32 : nil
            let layout = try TensorLayout(name: "w", dtype: dtype, shape: [9, 64], groupSize: g)
            let bytes = (0..<layout.byteCount).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let x = Self.vector(64, seed: 3)
            let scalar = try #require(Self.product(layout, bytes, x, level: .scalar, threads: 1))
            let best = try #require(Self.product(layout, bytes, x, level: .selected, threads: 2))
            // NaN payloads may differ between the F16C and portable conversions; everything else is identical.
            #expect(zip(scalar, best).allSatisfy { $0.isNaN ? $1.isNaN : $0.bitPattern == $1.bitPattern }, "\(dtype)")
        }
    }
}

extension MatVecTests {
    static let q8Kinds: [DType] = [.q8_0, .q4_0, .q4_1]

    @Test("q8 activations: every path and thread count gives the same bits", arguments: q8Kinds)
    func q8PathsAgree(_ dtype: DType) throws {
        // 18 blocks per row (even) and 17 (odd: the AVX-512 path's lone last block).
        for cols in [576, 544] {
            let (layout, bytes) = try Self.matrix(dtype, 32, rows: 43, cols: cols, seed: 11)
            let x = Self.vector(cols, seed: 12)
            let scalar = try #require(Self.product(layout, bytes, x, level: .scalar, threads: 1, activations: .q8))
            for level in SIMDLevel.allCases where level.available == level {
                for threads in [1, 2] {
                    let y = try #require(Self.product(layout, bytes, x, level: level, threads: threads, activations: .q8))
                    #expect(y.map(\.bitPattern) == scalar.map(\.bitPattern), "\(dtype) \(cols): \(level), \(threads) threads")
                }
            }
        }
    }

    /// Rounding x to 8 bits per 32 moves each element by at most half its block's step d = max|x|/127, plus the scale's
    /// rounding to f16 (|code| ≤ 127 times a relative 2⁻¹¹), so the product moves by at most Σ|w|·d·(1/2 + 127/2048)
    /// per block; the integer sums themselves are exact.
    @Test("q8 activations stay within the activation rounding of the exact product", arguments: q8Kinds)
    func q8WithinRounding(_ dtype: DType) throws {
        let cols = 256
        let (layout, bytes) = try Self.matrix(dtype, 32, rows: 16, cols: cols, seed: 21)
        let x = Self.vector(cols, seed: 22)
        var w = [Float](repeating: 0, count: layout.elementCount)
        try bytes.withUnsafeBytes { b in try w.withUnsafeMutableBufferPointer { try BlockCodec.decode(b, layout: layout, into: $0) } }
        let y = try #require(Self.product(layout, bytes, x, level: .selected, threads: 1, activations: .q8))
        let exact = try #require(Self.product(layout, bytes, x, level: .selected, threads: 1, activations: .f32))
        var moved = 0
        for r in 0..<16 {
            var bound = 0.0
            for b in 0..<(cols / 32) {
                let d = Double(x[(b * 32)..<(b * 32 + 32)].map { abs($0) }.max() ?? 0) / 127
                for j in (b * 32)..<(b * 32 + 32) { bound += Double(abs(w[r * cols + j])) * d * (0.5 + 127.0 / 2048) }
            }
            let diff = abs(Double(y[r]) - Double(exact[r]))
            #expect(diff <= bound * 1.001 + 1e-5, "\(dtype) row \(r): |Δ| \(diff) > \(bound)")
            if diff > 0 { moved += 1 }
        }
        #expect(moved > 0, "the q8 path must actually quantize the activations")
    }

    /// A q8_0 matrix whose row r picks element r of x with weight 1: the product reads back x's activation codes.
    static func picker(_ n: Int) throws -> (TensorLayout, [UInt8]) {
        var bytes: [UInt8] = []
        for r in 0..<n {
            for b in 0..<(n / 32) {
                bytes += [0x00, 0x3C]  // f16 1.0
                bytes += (0..<32).map { b * 32 + $0 == r ? 1 : 0 }
            }
        }
        return (try TensorLayout(name: "p", dtype: .q8_0, shape: [n, n], groupSize: 32), bytes)
    }

    @Test("q8 activations round as llama.cpp's x86 backend: codes of x·(127/max|x|), ties to even")
    func q8RoundsAsLlamaCpp() throws {
        let (layout, bytes) = try Self.picker(32)
        // max|x| = 127: scale 1, so the codes are x rounded; ±2.5 and 6.5 are ties (half away from zero would give ±3, 7).
        var x = [Float](repeating: 0.25, count: 32)
        x[0] = 127; x[1] = 2.5; x[2] = -2.5; x[3] = 6.5; x[4] = 3.5; x[5] = 1.49
        let y = try #require(Self.product(layout, bytes, x, level: .selected, threads: 1, activations: .q8))
        #expect(Array(y[0..<6]) == [127, 2, -2, 6, 4, 1])
        // 127/max and 1/(max/127) round differently for some max; ggml multiplies by the former. Find such a case.
        var found = false
        for k in 1..<4000 where !found {
            let amax = 1 + Float(k) / 997, id = 127 / amax, inv = 1 / (amax / 127)
            guard id != inv else { continue }
            for c in 1..<127 {
                let v = (Float(c) + 0.5) / id  // near a tie for one inverse scale
                guard (v * id).rounded(.toNearestOrEven) != (v * inv).rounded(.toNearestOrEven) else { continue }
                var xs = [Float](repeating: 0, count: 32)
                xs[0] = amax; xs[1] = v
                let ys = try #require(Self.product(layout, bytes, xs, level: .selected, threads: 1, activations: .q8))
                let d = Float(Float16(amax / 127))
                #expect(ys[1] == d * (v * id).rounded(.toNearestOrEven), "max \(amax), x \(v)")
                found = true
                break
            }
        }
        #expect(found, "no case where the two inverse scales round apart")
    }

    @Test("q8 activations with ggml's other block types: x rounded to their activation blocks, then the f32 product",
          arguments: [DType.q5_0, .q5_1, .iq4_nl, .q2_k, .q3_k, .q4_k, .q5_k, .q6_k])
    func q8OtherTypesRoundTheActivations(_ dtype: DType) throws {
        let cols = 512, rows = 16
        var rng = SplitMix(31)
        let w = (0..<(rows * cols)).map { _ in Float(rng.uniform() * 2 - 1) }
        let layout = try TensorLayout(name: "w", dtype: dtype, shape: [rows, cols], groupSize: dtype.fixedGroupSize)
        var bytes = [UInt8]()
        for r in 0..<rows { bytes += try quantizedRow(Array(w[(r * cols)..<((r + 1) * cols)]), dtype) }
        let x = Self.vector(cols, seed: 32)
        // What llama.cpp's dot products see: K-quants q8_K (per 256: iscale = −127/max signed, ties to even, at most
        // 127, d = 1/iscale in f32), the others q8_0/q8_1 (per 32: 127/max|x|, ties to even, d rounded to f16).
        var xr = [Float](repeating: 0, count: cols)
        let kq = [DType.q2_k, .q3_k, .q4_k, .q5_k, .q6_k].contains(dtype), block = kq ? 256 : 32
        for b in stride(from: 0, to: cols, by: block) {
            let xs = Array(x[b..<(b + block)])
            guard let big = xs.max(by: { abs($0) < abs($1) }), big != 0 else { continue }
            if kq {
                let iscale = -127 / big, d = 1 / iscale
                for j in 0..<block { xr[b + j] = d * min(127, (iscale * xs[j]).rounded(.toNearestOrEven)) }
            } else {
                let id = 127 / abs(big), d = Float(Float16(abs(big) / 127))
                for j in 0..<block { xr[b + j] = d * (xs[j] * id).rounded(.toNearestOrEven) }
            }
        }
        let y = try #require(Self.product(layout, bytes, x, level: .selected, threads: 1, activations: .q8))
        let expected = try #require(Self.product(layout, bytes, xr, level: .selected, threads: 1, activations: .f32))
        #expect(y == expected)
        let plain = try #require(Self.product(layout, bytes, x, level: .selected, threads: 1, activations: .f32))
        #expect(y != plain, "the activations must actually be rounded")
    }
}

/// A tiny deterministic generator (SplitMix64) so the tests' data does not depend on the platform's RNG.
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// One row quantized with the reference quantizer (finite scales, as real files have).
func quantizedRow(_ row: [Float], _ dtype: DType) throws -> [UInt8] {
    let options = QuantizeOptions(dtype: dtype, groupSize: dtype.fixedGroupSize ?? 32, method: .ref, threads: 1)
    let b = try row.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [1, row.count], name: "w", options: options) }
    return b.withBytes { Array($0) }
}
