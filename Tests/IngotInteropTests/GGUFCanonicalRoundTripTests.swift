import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// GGUF → CanonicalGGUFSource → (Ingot file) → GGUFExport gives the same pairs, types and tensor bytes back — for
/// these files, which only hold types Ingot keeps, the same file byte for byte.
@Suite struct GGUFCanonicalRoundTripTests {
    static let files = ModelFixtures.gqaTypes.map { ModelFixtures.gguf("llama-gqa", $0) }
        + ModelFixtures.tiedTypes.map { ModelFixtures.gguf("llama-tied", $0) }

    /// Writes the canonical source as an Ingot file (compressed, as `ingot convert` may) and opens it.
    func throughIngot(_ source: CanonicalGGUFSource, in dir: TempDir) throws -> IngotFile {
        let p = dir.file("model.ingot")
        try IngotWriter(path: p, options: .init(compression: CompressionOptions()), metadata: source.metadata).write(source)
        return try IngotFile(path: p)
    }

    func expectSame(_ original: GGUFFile, _ back: GGUFFile, _ label: String) throws {
        #expect(back.keyValues == original.keyValues, "\(label): pairs")
        #expect(back.tensorInfos == original.tensorInfos, "\(label): names, dims, types, offsets")
        for t in original.tensorInfos {
            #expect(bytes(try back.storedBytes(t.name)) == bytes(try original.storedBytes(t.name)), "\(label): \(t.name)")
        }
    }

    @Test("through an Ingot file: the same GGUF file back", arguments: files)
    func throughIngotFile(_ rel: String) throws {
        let dir = TempDir()
        let path = ModelFixtures.path(rel)
        let ingot = try throughIngot(try CanonicalGGUFSource(path: path), in: dir)
        let out = dir.file("back.gguf")
        let warnings = try exportGGUF(out, ingot)
        #expect(warnings.isEmpty)
        try expectSame(try GGUFFile(path: path), try GGUFFile(path: out), rel)
        #expect(readBytes(out) == readBytes(path), "\(rel): file bytes")
    }

    @Test("directly from the canonical source: the same GGUF file back", arguments: files)
    func direct(_ rel: String) throws {
        let dir = TempDir()
        let path = ModelFixtures.path(rel)
        let out = dir.file("back.gguf")
        try exportGGUF(out, try CanonicalGGUFSource(path: path))
        #expect(readBytes(out) == readBytes(path), "\(rel)")
    }

    /// K-quants have no Ingot dtype: they come back as the f32 values they stand for (permuted back), with every
    /// pair — alignment 64 included — unchanged.
    @Test("Q4_K_M: pairs unchanged, tensors come back as their exact f32 dequantization")
    func kQuantsComeBackAsF32() throws {
        let dir = TempDir()
        let path = ModelFixtures.path("llama-k256/llama-k256-Q4_K_M.gguf")
        let original = try GGUFFile(path: path)
        let out = dir.file("back.gguf")
        try exportGGUF(out, try throughIngot(try CanonicalGGUFSource(original), in: dir))
        let back = try GGUFFile(path: out)
        #expect(back.keyValues == original.keyValues)
        #expect(back.alignment == 64)
        #expect(back.tensorInfos.map(\.name) == original.tensorInfos.map(\.name))
        #expect(back.tensorInfos.map(\.dims) == original.tensorInfos.map(\.dims))
        for t in original.tensorInfos {
            #expect(bytes(try back.load(t.name)) == bytes(try original.load(t.name)), "\(t.name)")
        }
    }

    @Test("rope factors that match no llama-3 scaling are kept in ingot.gguf and written back bit for bit")
    func oddRopeFactorsKeptExactly() throws {
        let dir = TempDir()
        let p = dir.file("odd.gguf")
        var r = TestRandom(state: 9)
        let factors: [Float] = [1, 0.5, 2.25, 7]  // a factor below 1: no llama-3 scaling gives these
        try writeGGUF(p, llamaPairs(hidden: 16), [("rope_freqs.weight", [4], factors), ("token_embd.weight", [4, 16], r.floats(64)),
                                                  ("blk.0.attn_k.weight", [16, 16], r.floats(256))])
        let g = try CanonicalGGUFSource(path: p)
        #expect(g.warnings.count == 1)
        #expect(g.metadata["ingot.config"]?.objectValue?["rope_scaling"] == .null)
        #expect(g.metadata["ingot.gguf"]?.objectValue?[CanonicalGGUFSource.ropeFreqsKey] == .array(factors.map { .double(Double($0)) }))
        let out = dir.file("back.gguf")
        try exportGGUF(out, try throughIngot(g, in: dir))
        #expect(readBytes(out) == readBytes(p))
    }

    @Test("pairs llama.cpp types differently (an i32 head count, an f64 eps) keep their types")
    func sourceTypesKept() throws {
        let dir = TempDir()
        let p = dir.file("typed.gguf")
        var pairs = llamaPairs()
        pairs[5] = GGUFKeyValue("llama.attention.head_count", .int32(2))
        pairs[7] = GGUFKeyValue("llama.attention.layer_norm_rms_epsilon", .float64(1e-6))
        pairs.append(GGUFKeyValue("llama.rope.dimension_count", .uint64(4)))
        var r = TestRandom(state: 4)
        try writeGGUF(p, pairs, [("token_embd.weight", [4, 8], r.floats(32))])
        let g = try CanonicalGGUFSource(path: p)
        let kept = try #require(g.metadata["ingot.gguf"]?.objectValue)
        #expect(kept["llama.attention.head_count"] == .null)
        #expect(kept["llama.attention.layer_norm_rms_epsilon"] == .null)
        let out = dir.file("back.gguf")
        try exportGGUF(out, g)
        #expect(try GGUFFile(path: out).keyValues == GGUFFile(path: p).keyValues)
    }
}
