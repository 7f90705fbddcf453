import Foundation
import Testing

internal import CIngotKernels

/// The forward pass's exponentials (CIngotKernels/activations.c): accurate to 1 ulp, the same bits on every path.
@Suite struct ActivationKernelTests {
    /// Units in the last place between `a` and the exact e^x.
    static func ulps(_ a: Float, exact: Double) -> Double {
        let r = Float(exact)
        let ulp = Double(r.nextUp) - Double(r)
        return abs(Double(a) - exact) / ulp
    }

    @Test("ingot_expf is within 1 ulp of e^x over the normal range")
    func expAccuracy() {
        var worst = 0.0
        var x: Float = -87
        while x < 88.7 {
            worst = max(worst, Self.ulps(ingot_expf(x), exact: Foundation.exp(Double(x))))
            x += 0.000_731 * max(1, abs(x))
        }
        #expect(worst <= 1.0, "worst error \(worst) ulp")
    }

    @Test("ingot_expf: overflow, underflow, the subnormals, NaN")
    func expEdges() {
        #expect(ingot_expf(89) == .infinity)
        #expect(ingot_expf(.infinity) == .infinity)
        #expect(ingot_expf(-.infinity) == 0)
        #expect(ingot_expf(-104) == 0)
        #expect(ingot_expf(.nan).isNaN)
        #expect(ingot_expf(0) == 1)
        let sub = ingot_expf(-90)  // 8.19e-40: a subnormal, right to a few of its (coarse) ulps
        #expect(sub.isSubnormal && abs(Double(sub) - Foundation.exp(-90.0)) < 4 * Double(Float.leastNonzeroMagnitude))
    }

    static func values(_ n: Int, seed: UInt64) -> [Float] {
        var s = seed
        return (0..<n).map { _ in
            s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: s >> 11) % 4_000_000) / 100_000 - 20  // [-20, 20)
        }
    }

    @Test("the SiLU gate: AVX2 and portable builds give the same bits as the scalar formula, on any thread count")
    func siluPaths() {
        let n = 10_003  // not a multiple of 8: the tail goes through the padded lanes
        let gate = Self.values(n, seed: 1) + [0, -0.0, 100, -100, .nan, .infinity, -.infinity]
        let up = Self.values(gate.count, seed: 2)
        let expected = zip(gate, up).map { v, u in (v / (1 + ingot_expf(-v))) * u }
        for simd: Int32 in [0, 1] {
            for threads: Int32 in [1, 2, 3] {
                var g = gate
                ingot_silu_gated(&g, up, g.count, threads, simd)
                #expect(g.map(\.bitPattern) == expected.map(\.bitPattern), "simd \(simd), \(threads) threads")
            }
        }
    }

    @Test("softmax rows: causal rows cover their positions, sum to 1, match a double-precision softmax")
    func softmaxRows() {
        let rows = 5, ld = 37, first = 30
        let scores = Self.values(rows * ld, seed: 3)
        for causal: Int32 in [0, 1] {
            var s = scores
            ingot_softmax_rows(&s, rows, ld, first, causal, 1)
            for r in 0..<rows {
                let n = causal == 1 ? first + r : ld
                let row = scores[(r * ld)..<(r * ld + n)].map(Double.init)
                let m = row.max() ?? 0
                let e = row.map { Foundation.exp($0 - m) }
                let sum = e.reduce(0, +)
                for j in 0..<ld {
                    let got = Double(s[r * ld + j])
                    if j < n {
                        #expect(abs(got - e[j] / sum) <= 1e-6 * (e[j] / sum) + 1e-12, "row \(r), column \(j)")
                    } else {
                        #expect(got == 0, "row \(r), column \(j) is past what the row sees")
                    }
                }
            }
        }
    }

    @Test("softmax rows: AVX2 and portable builds give the same bits")
    func softmaxPaths() {
        let rows = 9, ld = 61
        let scores = Self.values(rows * ld, seed: 4)
        var a = scores, b = scores
        ingot_softmax_rows(&a, rows, ld, ld - rows + 1, 1, 0)
        ingot_softmax_rows(&b, rows, ld, ld - rows + 1, 1, 1)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
    }
}
