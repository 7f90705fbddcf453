import Foundation
import IngotFormat
import Testing

@testable import IngotQuant

/// The committed gguf vectors (fixtures/quant, written by fixtures/generate_quant.py with the gguf package, never by
/// Ingot), found from this file's location.
enum QuantFixtures {
    struct Expected: Sendable, CustomStringConvertible {
        let dtype: DType
        let groupSize: Int
        let offset: Int
        let length: Int
        let dequantizedXXH3: UInt64
        var description: String { "\(dtype.rawValue) G=\(groupSize)" }
    }

    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let shape: [Int]
        let values: [Float]
        let expected: [Expected]
        var description: String { name }
        var isRealWeights: Bool { name.hasPrefix("minilm.") }
    }

    static let dir: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // IngotQuantTests → Tests → repository root
        return url.path + "/fixtures/quant"
    }()

    /// Every case, or an empty list when the files are missing or malformed (the tests then fail on the count).
    static let cases: [Case] = load() ?? []

    /// Bytes of expected.bin.
    static let expectedBytes: [UInt8] = (try? Array(Data(contentsOf: URL(fileURLWithPath: dir + "/expected.bin")))) ?? []

    static func bytes(_ e: Expected) -> [UInt8] {
        guard e.offset >= 0, e.length >= 0, e.offset + e.length <= expectedBytes.count else { return [] }
        return Array(expectedBytes[e.offset..<(e.offset + e.length)])
    }

    private static func load() -> [Case]? {
        guard let json = try? Data(contentsOf: URL(fileURLWithPath: dir + "/manifest.json")),
            let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
            let list = root["cases"] as? [[String: Any]],
            let inputs = try? Data(contentsOf: URL(fileURLWithPath: dir + "/inputs.f32"))
        else { return nil }
        let floats: [Float] = inputs.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
        var cases: [Case] = []
        for c in list {
            guard let name = c["name"] as? String, let shape = c["shape"] as? [Int],
                let offset = c["input_offset"] as? Int, let count = c["input_count"] as? Int,
                let exp = c["expected"] as? [[String: Any]], offset % 4 == 0, offset / 4 + count <= floats.count
            else { return nil }
            var expected: [Expected] = []
            for e in exp {
                guard let d = (e["dtype"] as? String).flatMap(DType.init(rawValue:)), let g = e["group_size"] as? Int,
                    let o = e["offset"] as? Int, let l = e["length"] as? Int,
                    let h = (e["dequantized_xxh3"] as? String).flatMap(XXH3.parseHex)
                else { return nil }
                expected.append(Expected(dtype: d, groupSize: g, offset: o, length: l, dequantizedXXH3: h))
            }
            let values = Array(floats[(offset / 4)..<(offset / 4 + count)])
            cases.append(Case(name: name, shape: shape, values: values, expected: expected))
        }
        return cases
    }
}

/// Quantizes an array (test convenience over the buffer-pointer API).
func quantize(
    _ values: [Float], shape: [Int], _ dtype: DType, group: Int = 32, method: QuantMethod = .ref,
    importance: [Float]? = nil, threads: Int = 2, kernels: KernelPath = .best, name: String = "t"
) throws(QuantizationError) -> [UInt8] {
    var options = QuantizeOptions(dtype: dtype, groupSize: group, method: method, importance: importance, threads: threads)
    options.kernels = kernels
    let buffer = try values.withUnsafeBufferPointer { (p) throws(QuantizationError) in
        try Quantizer.quantize(p, shape: shape, name: name, options: options)
    }
    return buffer.withBytes { Array($0) }
}

/// Dequantizes block bytes for `shape`.
func dequantize(
    _ blocks: [UInt8], shape: [Int], _ dtype: DType, group: Int = 32, kernels: KernelPath = .best
) throws -> [Float] {
    let layout = try TensorLayout(name: "t", dtype: dtype, shape: shape, groupSize: group)
    var out = [Float](repeating: .nan, count: layout.elementCount)
    try blocks.withUnsafeBytes { raw in
        try out.withUnsafeMutableBufferPointer { o in
            try BlockCodec.decode(raw, layout: layout, into: o, threads: 2, kernels: kernels)
        }
    }
    return out
}

/// Error of reconstructed values against the originals, optionally importance-weighted.
func measure(_ x: [Float], _ y: [Float], importance: [Float]? = nil, threads: Int = 2) throws -> QuantError {
    try x.withUnsafeBufferPointer { a in
        try y.withUnsafeBufferPointer { b in
            try QuantError.measure(original: a, reconstructed: b, importance: importance, threads: threads)
        }
    }
}

/// Round trip through `method` and back: the error.
func roundTripError(
    _ x: [Float], shape: [Int], _ dtype: DType, group: Int, method: QuantMethod, importance: [Float]? = nil,
    weighted: [Float]? = nil
) throws -> QuantError {
    let q = try quantize(x, shape: shape, dtype, group: group, method: method, importance: importance)
    return try measure(x, try dequantize(q, shape: shape, dtype, group: group), importance: weighted)
}

/// A block's f16 scale (and q4_1 minimum) as bit patterns.
func scaleBits(_ blocks: [UInt8], block: Int, blockBytes: Int, second: Bool = false) -> UInt16 {
    let o = block * blockBytes + (second ? 2 : 0)
    return UInt16(blocks[o]) | UInt16(blocks[o + 1]) << 8
}

/// Deterministic test data: SplitMix64 with Box–Muller normals.
struct TestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    mutating func uniform() -> Double { Double((next() >> 11) + 1) / 9_007_199_254_740_992.0 }

    mutating func normal() -> Float {
        Float((-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform()))
    }

    /// `count` normals with per-row scales drawn log-uniformly from [1e-3, 1]: rows look like weight rows of
    /// different layers, and some hold an outlier.
    mutating func weights(rows: Int, cols: Int) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(rows * cols)
        for _ in 0..<rows {
            let scale = Float(pow(10, -3 * uniform()))
            for _ in 0..<cols { out.append(normal() * scale) }
            if next() % 4 == 0 { out[out.count - 1 - Int(next() % UInt64(cols))] *= 8 }
        }
        return out
    }
}

let blockTypes: [DType] = [.q8_0, .q4_0, .q4_1]
