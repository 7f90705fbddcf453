import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// llama-imatrix's own files (fixtures/imatrix, written by fixtures/generate_imatrix.py with the llama.cpp that
/// llama-cpp-python 0.3.36 vendors) read back as gguf-py/numpy read them (expected.json), in both layouts.
@Suite struct ImatrixFixtureTests {
    static let dir: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/fixtures/imatrix"
    }()

    static func expected(_ model: String, _ layout: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/expected.json"))
        let o = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let m = (o?["models"] as? [String: Any])?[model] as? [String: Any]
        return try #require(m?[layout] as? [String: Any])
    }

    static func floats(_ v: Any?) -> [Float] { ((v as? [Double]) ?? []).map { Float($0) } }

    func close(_ a: [Float], _ b: [Float], _ rel: Float = 1e-6) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= rel * max(abs($0), abs($1)) }
    }

    @Test(arguments: ["llama-gqa", "llama-k256"])
    func ggufLayoutReadsLikeGGUFPy(_ model: String) throws {
        let e = try Self.expected(model, "gguf")
        let entries = try #require(e["entries"] as? [String: [String: Any]])
        let m = try ImatrixFile.read(path: Self.dir + "/\(model).imatrix.gguf")
        #expect(Set(m.entries.map(\.name)) == Set(entries.keys))
        #expect(m.chunkSize == 128 && m.chunkCount > 0)
        #expect(m.datasets.last?.hasSuffix("calibration.txt") == true)
        for entry in m.entries {
            let x = try #require(entries[entry.name])
            #expect(entry.columns == x["columns"] as? Int)
            #expect(entry.counts == Self.floats(x["counts"]))
            #expect(Array(entry.sums.prefix(4)) == Self.floats(x["in_sum2_first4"]), "\(entry.name)")
            // What llama-quantize passes to its quantizers: the per-column mean of squares.
            #expect(close(Array(try #require(entry.meanSquares).prefix(4)), Self.floats(x["mean_sq_first4"])), "\(entry.name)")
        }
    }

    @Test(arguments: ["llama-gqa", "llama-k256"])
    func legacyLayoutReadsLikeNumPy(_ model: String) throws {
        let e = try Self.expected(model, "dat")
        let entries = try #require(e["entries"] as? [String: [String: Any]])
        let m = try ImatrixFile.read(path: Self.dir + "/\(model).imatrix.dat")
        #expect(Set(m.entries.map(\.name)) == Set(entries.keys))
        for entry in m.entries {
            let x = try #require(entries[entry.name])
            #expect(entry.counts == [Float(try #require(x["ncall"] as? Int))])
            #expect(entry.sums.count == x["nval"] as? Int)
            #expect(Array(entry.sums.prefix(4)) == Self.floats(x["values_first4"]), "\(entry.name)")
            #expect(close(Array(try #require(entry.meanSquares).prefix(4)), Self.floats(x["mean_sq_first4"]), 1e-5), "\(entry.name)")
        }
    }

    /// Both layouts of one run carry the same means (the legacy one stores mean × ncall, rounded to f32).
    @Test(arguments: ["llama-gqa", "llama-k256"])
    func bothLayoutsAgree(_ model: String) throws {
        let g = try ImatrixFile.read(path: Self.dir + "/\(model).imatrix.gguf")
        let d = try ImatrixFile.read(path: Self.dir + "/\(model).imatrix.dat")
        for e in g.entries {
            let other = try #require(d.entry(e.name))
            #expect(close(try #require(e.meanSquares), try #require(other.meanSquares), 1e-5), "\(e.name)")
        }
    }
}
