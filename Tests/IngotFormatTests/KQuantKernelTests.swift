import Foundation
import Testing
internal import CIngotKernels
@testable import IngotFormat

/// The K-quant / 5-bit / IQ4_NL kernels (CIngotKernels/kquants*.c) against ggml's own bytes and floats
/// (fixtures/kquants, written by fixtures/generate_kquants.py through ctypes from ggml's library).
enum KQuantFixtures {
    static let dir: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // IngotFormatTests → Tests → repository root
        return url.path + "/fixtures/kquants"
    }()

    struct Expected: Sendable {
        let type: UInt32, name: String, offset: Int, length: Int, dequantizedXXH3: UInt64
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String, rows: Int, rowLength: Int, isReal: Bool
        let values: [Float]
        let expected: [Expected]
        var testDescription: String { name }
    }

    static let expectedBytes: [UInt8] = readBytes(dir + "/expected.bin")

    static let cases: [Case] = {
        let inputs = readBytes(dir + "/inputs.f32")
        guard let root = try? JSONParser.parse(readBytes(dir + "/manifest.json")).objectValue,
              let list = root["cases"]?.arrayValue else { return [] }
        return list.compactMap { v -> Case? in
            guard let o = v.objectValue, let name = o["name"]?.stringValue,
                  let shape = o["shape"]?.arrayValue, shape.count == 2,
                  let rows = shape[0].intValue, let n = shape[1].intValue,
                  let off = o["input_offset"]?.intValue, let count = o["count"]?.intValue,
                  let real = o["is_real"]?.boolValue, let exp = o["expected"]?.arrayValue,
                  Int(off + count) * 4 <= inputs.count else { return nil }
            let values = (0..<Int(count)).map { i -> Float in
                let p = (Int(off) + i) * 4
                return Float(bitPattern: UInt32(inputs[p]) | UInt32(inputs[p + 1]) << 8 | UInt32(inputs[p + 2]) << 16
                    | UInt32(inputs[p + 3]) << 24)
            }
            let expected = exp.compactMap { e -> Expected? in
                guard let eo = e.objectValue, let t = eo["type"]?.intValue, let nm = eo["name"]?.stringValue,
                      let eoff = eo["offset"]?.intValue, let len = eo["length"]?.intValue,
                      let h = eo["dequantized_xxh3"]?.stringValue, let hash = XXH3.parseHex(h) else { return nil }
                return Expected(type: UInt32(t), name: nm, offset: Int(eoff), length: Int(len), dequantizedXXH3: hash)
            }
            return Case(name: name, rows: Int(rows), rowLength: Int(n), isReal: real, values: values, expected: expected)
        }
    }()

    static func bytes(_ e: Expected) -> [UInt8] { Array(expectedBytes[e.offset..<e.offset + e.length]) }
}

let kqTypes: [UInt32] = [6, 7, 10, 11, 12, 13, 14, 20]

func kqRef(_ t: UInt32, _ x: [Float]) -> (bytes: [UInt8], result: Int64) {
    let be = ingot_kq_block_elements(t), nb = x.count / be
    var out = [UInt8](repeating: 0, count: nb * ingot_kq_block_bytes(t))
    let r = x.withUnsafeBufferPointer { s in out.withUnsafeMutableBytes { ingot_kq_quantize_ref(t, s.baseAddress, $0.baseAddress, nb) } }
    return (out, r)
}

/// Search over `x` (whole rows of `rowLength`), in calls of `blocksPerCall` blocks.
func kqSearch(_ t: UInt32, _ x: [Float], rowLength: Int, importance: [Float]?, blocksPerCall: Int = .max)
    -> (bytes: [UInt8], result: Int64) {
    let be = ingot_kq_block_elements(t), bb = ingot_kq_block_bytes(t), nb = x.count / be
    var out = [UInt8](repeating: 0, count: nb * bb)
    var scratch = [Float](repeating: 0, count: max(1, ingot_kq_search_scratch_floats(t)))
    var first = 0
    var result: Int64 = -1
    while first < nb && result == -1 {
        let n = min(blocksPerCall, nb - first)
        let r = x.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBytes { o in
                scratch.withUnsafeMutableBufferPointer { sc in
                    withOptionalPointer(importance) { imp in
                        ingot_kq_quantize_search(t, s.baseAddress! + first * be, o.baseAddress! + first * bb, n, imp,
                                                 rowLength / be, first, sc.baseAddress)
                    }
                }
            }
        }
        if r >= 0 { result = Int64(first) + r }
        first += n
    }
    return (out, result)
}

func withOptionalPointer<R>(_ a: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let a else { return body(nil) }
    return a.withUnsafeBufferPointer { body($0.baseAddress) }
}

func kqDequantize(_ t: UInt32, _ bytes: [UInt8]) -> [Float] {
    let nb = bytes.count / ingot_kq_block_bytes(t)
    var out = [Float](repeating: 0, count: nb * ingot_kq_block_elements(t))
    let r = bytes.withUnsafeBytes { b in out.withUnsafeMutableBufferPointer { ingot_kq_dequantize(t, b.baseAddress, $0.baseAddress, nb) } }
    #expect(r == 0)
    return out
}

/// The search's objective (specs: kquants_search.c): per block of `be` elements, σ² = 2·mean(x²) and
/// w_j = importance[col] · sqrt(σ² + x_j²), importance 1 when absent or all zero in the block.
func kqWeightedError(_ x: [Float], _ y: [Float], blockElements be: Int, rowLength: Int, importance: [Float]?) -> Double {
    var total = 0.0
    for b in stride(from: 0, to: x.count, by: be) {
        var sum2 = 0.0
        for j in b..<b + be { sum2 += Double(x[j]) * Double(x[j]) }
        let s2 = 2 * sum2 / Double(be)
        var imp = [Double](repeating: 1, count: be)
        if let importance {
            for j in 0..<be { imp[j] = Double(importance[(b + j) % rowLength]) }
            if imp.allSatisfy({ $0 == 0 }) { imp = [Double](repeating: 1, count: be) }
        }
        for j in 0..<be {
            let v = Double(x[b + j]), d = v - Double(y[b + j])
            let w = imp[j] * (s2 + v * v).squareRoot()
            total += w * d * d
        }
    }
    return total
}

/// A stand-in imatrix: the per-column mean of x² over the case's rows, scaled to a maximum of 1.
func kqImportance(_ c: KQuantFixtures.Case) -> [Float] {
    var m = [Double](repeating: 0, count: c.rowLength)
    for (i, v) in c.values.enumerated() { m[i % c.rowLength] += Double(v) * Double(v) }
    let top = m.max() ?? 0
    return m.map { top > 0 ? Float($0 / top) : 1 }
}

@Suite struct KQuantKernelTests {
    @Test func fixturesArePresent() {
        #expect(KQuantFixtures.cases.count >= 20)
        #expect(KQuantFixtures.cases.filter(\.isReal).count >= 6)
        #expect(KQuantFixtures.cases.allSatisfy { $0.expected.count == kqTypes.count })
    }

    @Test(arguments: KQuantFixtures.cases)
    func refIsBitExactWithGGML(_ c: KQuantFixtures.Case) {
        for e in c.expected {
            let (mine, r) = kqRef(e.type, c.values)
            let theirs = KQuantFixtures.bytes(e)
            #expect(r == -1, "\(c.name) \(e.name)")
            let firstDiff = zip(mine, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(mine == theirs, "\(c.name) \(e.name): first differing byte \(firstDiff ?? -1)")
        }
    }

    @Test(arguments: KQuantFixtures.cases)
    func dequantizeMatchesGGML(_ c: KQuantFixtures.Case) {
        for e in c.expected {
            let floats = kqDequantize(e.type, KQuantFixtures.bytes(e))
            #expect(floats.count == c.values.count)
            #expect(floats.withUnsafeBytes { XXH3.hash($0) } == e.dequantizedXXH3, "\(c.name) \(e.name)")
        }
    }

    /// On real weights, with and without importance, the search's weighted error never exceeds the reference's.
    @Test(arguments: KQuantFixtures.cases.filter(\.isReal))
    func searchIsNoWorseThanRef(_ c: KQuantFixtures.Case) {
        for t in kqTypes {
            let be = ingot_kq_block_elements(t)
            for imp in [nil, kqImportance(c)] {
                let (s, r) = kqSearch(t, c.values, rowLength: c.rowLength, importance: imp)
                #expect(r == -1)
                let ref = kqDequantize(t, kqRef(t, c.values).bytes)
                let es = kqWeightedError(c.values, kqDequantize(t, s), blockElements: be, rowLength: c.rowLength, importance: imp)
                let er = kqWeightedError(c.values, ref, blockElements: be, rowLength: c.rowLength, importance: imp)
                #expect(es <= er * (1 + 1e-5), "\(c.name) type \(t) importance \(imp != nil): \(es) > \(er)")
            }
        }
    }

    /// The bytes do not depend on how a tensor is split into calls (block by block, odd chunks, all at once).
    @Test func searchDoesNotDependOnTheSplit() throws {
        let c = try #require(KQuantFixtures.cases.first { $0.isReal && $0.rows > 1 })
        for t in kqTypes {
            for imp in [nil, kqImportance(c)] {
                let whole = kqSearch(t, c.values, rowLength: c.rowLength, importance: imp)
                for chunk in [1, 3] {
                    let split = kqSearch(t, c.values, rowLength: c.rowLength, importance: imp, blocksPerCall: chunk)
                    #expect(split.bytes == whole.bytes && split.result == whole.result, "type \(t) chunk \(chunk)")
                }
            }
        }
    }

    /// Every written block decodes to finite values, and a block whose scale would overflow f16 is reported by
    /// index (the blocks before it are written) by both quantizers.
    @Test func overflowIsReportedByIndex() {
        for t in kqTypes {
            let be = ingot_kq_block_elements(t)
            var x = (0..<(3 * be)).map { Float(sin(Double($0) * 0.37)) }
            for j in (2 * be)..<(3 * be) { x[j] *= 1e9 }
            let (bytes, r) = kqRef(t, x)
            #expect(r == 2, "type \(t)")
            let firstTwo = Array(bytes[0..<(2 * ingot_kq_block_bytes(t))])
            let decoded = kqDequantize(t, firstTwo)
            #expect(decoded.allSatisfy { $0.isFinite })
            let s = kqSearch(t, x, rowLength: x.count, importance: nil)
            #expect(s.result == 2, "search type \(t)")
            #expect(kqSearch(t, x, rowLength: x.count, importance: nil, blocksPerCall: 1).result == 2)
        }
    }

    /// Q5_1's minimum is a stored field too: a block near −70000 with a small range overflows through m alone.
    @Test func q5_1MinimumOverflowIsReported() {
        var x = [Float](repeating: 0, count: 64)
        for j in 0..<32 { x[j] = 0.25 * Float(j % 5) }
        for j in 32..<64 { x[j] = -70000 + Float(j % 3) }
        #expect(kqRef(7, x).result == 1)
        #expect(kqSearch(7, x, rowLength: 64, importance: nil).result == 1)
    }

    /// All-zero blocks decode to exact zeros from both quantizers, for every type.
    @Test func zeroBlocksStayZero() {
        for t in kqTypes {
            let x = [Float](repeating: 0, count: 2 * ingot_kq_block_elements(t))
            let imp = [Float](repeating: 0.5, count: x.count)
            #expect(kqDequantize(t, kqRef(t, x).bytes).allSatisfy { $0 == 0 })
            #expect(kqDequantize(t, kqSearch(t, x, rowLength: x.count, importance: nil).bytes).allSatisfy { $0 == 0 })
            #expect(kqDequantize(t, kqSearch(t, x, rowLength: x.count, importance: imp).bytes).allSatisfy { $0 == 0 })
        }
    }

    @Test func unknownTypesAreRefused() {
        var out = [UInt8](repeating: 0, count: 64)
        var f = [Float](repeating: 0, count: 256)
        var scratch = [Float](repeating: 0, count: 16)
        for t: UInt32 in [0, 1, 2, 3, 8, 9, 15, 16, 19, 21, 999] {
            #expect(ingot_kq_block_bytes(t) == 0 && ingot_kq_block_elements(t) == 0)
            #expect(ingot_kq_search_scratch_floats(t) == 0)
            let r = f.withUnsafeBufferPointer { s in out.withUnsafeMutableBytes { ingot_kq_quantize_ref(t, s.baseAddress, $0.baseAddress, 1) } }
            #expect(r == -2)
            let rs = f.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBytes { o in
                    scratch.withUnsafeMutableBufferPointer { ingot_kq_quantize_search(t, s.baseAddress, o.baseAddress, 1, nil, 1, 0, $0.baseAddress) }
                }
            }
            #expect(rs == -2)
            let d = out.withUnsafeBytes { o in f.withUnsafeMutableBufferPointer { ingot_kq_dequantize(t, o.baseAddress, $0.baseAddress, 1) } }
            #expect(d == -1)
        }
    }

    /// Any bytes decode without faults; the block sizes are ggml's.
    @Test func blockSizesAndArbitraryBytes() {
        let sizes: [UInt32: (Int, Int)] = [6: (32, 22), 7: (32, 24), 10: (256, 84), 11: (256, 110), 12: (256, 144),
                                           13: (256, 176), 14: (256, 210), 20: (32, 18)]
        var s: UInt64 = 7
        for (t, (e, b)) in sizes {
            #expect(ingot_kq_block_elements(t) == e && ingot_kq_block_bytes(t) == b)
            let bytes = (0..<(4 * b)).map { _ -> UInt8 in
                s = s &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: s >> 56)
            }
            #expect(kqDequantize(t, bytes).count == 4 * e)
        }
    }
}
