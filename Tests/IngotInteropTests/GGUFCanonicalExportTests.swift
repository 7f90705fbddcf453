import IngotFamilies
import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// Canonical (Hugging Face layout) → GGUF, checked against the fixture GGUF files llama.cpp's converter layout
/// produced from the same safetensors.
@Suite struct GGUFCanonicalExportTests {
    /// The fixture script adds three descriptive pairs the export has no source for.
    static let descriptive: Set<String> = ["general.type", "general.name", "general.size_label"]

    @Test("llama-gqa safetensors → GGUF: the fixture F32 file's tensors (names, permutation, rope_freqs, bytes) and pairs")
    func hfToGGUFEqualsFixture() throws {
        let dir = TempDir()
        let out = dir.file("llama-gqa.gguf")
        let warnings = try exportGGUF(out, try HFCanonicalFixture(ModelFixtures.path("llama-gqa/safetensors")))
        #expect(warnings.isEmpty)
        let back = try GGUFFile(path: out)
        let fixture = try GGUFFile(path: ModelFixtures.path(ModelFixtures.gguf("llama-gqa", "F32")))
        #expect(back.tensorInfos == fixture.tensorInfos)
        for t in fixture.tensorInfos {
            #expect(bytes(try back.storedBytes(t.name)) == bytes(try fixture.storedBytes(t.name)), "\(t.name)")
        }
        // Every pair llama.cpp reads — architecture, hyperparameters, tokenizer, chat template — with its type, in
        // the converter's order.
        #expect(back.keyValues == fixture.keyValues.filter { !Self.descriptive.contains($0.key) })
    }

    @Test("llama-tied safetensors → GGUF: no output.weight, k permuted with n_head; values are the fixture F16's before rounding")
    func tiedToGGUF() throws {
        let dir = TempDir()
        let out = dir.file("tied.gguf")
        let warnings = try exportGGUF(out, try HFCanonicalFixture(ModelFixtures.path("llama-tied/safetensors")))
        #expect(warnings.contains { $0.contains("no tokenizer") })
        let back = try GGUFFile(path: out)
        let fixture = try GGUFFile(path: ModelFixtures.path(ModelFixtures.gguf("llama-tied", "F16")))
        #expect(back.tensorInfos.map(\.name) == fixture.tensorInfos.map(\.name))
        #expect(back.tensorInfo("output.weight") == nil)
        for t in fixture.tensorInfos {
            #expect(back.tensorInfo(t.name)?.dims == t.dims)
            var mine = try back.storedBytes(t.name)
            if t.type == .f16 { mine = try mine.withBytes { try FloatConversion.cast($0, from: .f32, to: .f16) } }
            #expect(bytes(mine) == bytes(try fixture.storedBytes(t.name)), "\(t.name)")
        }
        let skip: (String) -> Bool = { Self.descriptive.contains($0) || $0.hasPrefix("tokenizer.") || $0 == "general.file_type" }
        #expect(back.keyValues.filter { !skip($0.key) } == fixture.keyValues.filter { !skip($0.key) })
        #expect(back.value(forKey: "general.file_type") == .uint32(0))
    }

    @Test("qwen2: no q/k permutation, biases mapped, qwen2.* keys; importing it gives the safetensors back")
    func qwen2() throws {
        let dir = TempDir()
        let out = dir.file("qwen2.gguf")
        let hf = try HFCanonicalFixture(ModelFixtures.path("qwen2/safetensors"))
        try exportGGUF(out, hf)
        let back = try GGUFFile(path: out)
        #expect(back.value(forKey: "general.architecture") == .string("qwen2"))
        #expect(back.value(forKey: "qwen2.attention.head_count")?.integerValue == hf.metadata["ingot.config"]?.objectValue?["num_heads"]?.intValue)
        #expect(back.tensorInfo("blk.0.attn_q.bias") != nil && back.tensorInfo("rope_freqs.weight") == nil)
        #expect(bytes(try back.load("blk.0.attn_q.weight")) == bytes(try hf.load("model.layers.0.self_attn.q_proj.weight")))
        let g = try CanonicalGGUFSource(back)
        #expect(g.family?.name == "qwen2")
        #expect(g.descriptors.map(\.name) == hf.descriptors.map(\.name))
        for d in hf.descriptors { #expect(bytes(try g.load(d.name)) == bytes(try hf.load(d.name)), "\(d.name)") }
        let c = try #require(g.metadata["ingot.config"]?.objectValue), hc = try #require(hf.metadata["ingot.config"]?.objectValue)
        for k in ["vocab_size", "hidden_size", "num_layers", "num_heads", "num_kv_heads", "head_dim", "ffn_size", "attention_bias", "tied_embeddings"] {
            #expect(c[k] == hc[k], "\(k)")
        }
    }

    /// A canonical model with llama weights quantized at group size 64 (Ingot can, GGUF cannot): written as the
    /// exact f32 values of its blocks — not requantized — with q rows permuted, and a warning.
    @Test("q8_0 at group size 64 is written as its exact f32 values, permuted, with a warning")
    func otherGroupSizeBecomesF32() throws {
        var c = JSONObject()
        for (k, v) in [("vocab_size", 4), ("hidden_size", 64), ("num_layers", 1), ("num_heads", 2), ("num_kv_heads", 2),
                       ("head_dim", 4), ("ffn_size", 8), ("max_positions", 16)] { c[k] = .int(Int64(v)) }
        c["norm_eps"] = .double(1e-5)
        let src = MemorySource(metadata: JSONObject([("ingot.architecture", .string("llama")), ("ingot.config", .object(c))]))
        var r = TestRandom(state: 5)
        try src.add("model.embed_tokens.weight", .f32, [4, 64], bytes: r.floats(256).withUnsafeBytes { Array($0) })
        // 8 rows × 1 block of 64: f16 scale 0.5 (0x3800) then 64 int8 codes.
        var blocks: [UInt8] = []
        for _ in 0..<8 { blocks += [0x00, 0x38] + (0..<64).map { _ in UInt8(truncatingIfNeeded: r.int(-127...127)) } }
        try src.add("model.layers.0.self_attn.q_proj.weight", .q8_0, [8, 64], groupSize: 64, bytes: blocks)
        let dir = TempDir()
        let out = dir.file("g64.gguf")
        let warnings = try exportGGUF(out, src)
        #expect(warnings.contains { $0.contains("q_proj") && $0.contains("f32") })
        #expect(warnings.contains { $0.contains("no tokenizer") })
        let back = try GGUFFile(path: out)
        let info = try #require(back.tensorInfo("blk.0.attn_q.weight"))
        #expect(info.type == .f32 && info.dims == [64, 8])
        let values = (0..<8).flatMap { row in (0..<64).map { Float(Int8(bitPattern: blocks[row * 66 + 2 + $0])) * 0.5 } }
        #expect(bytes(try back.load("blk.0.attn_q.weight")) == (try ggufOrder(values, rows: 8, heads: 2)))
    }

    /// Not a check by itself: with INGOT_GGUF_CANONICAL_DIR set, writes the exports scripts/check_gguf_canonical.py
    /// compares with the fixtures using gguf-py (run by hand; see the script).
    @Test("writes exports for scripts/check_gguf_canonical.py when INGOT_GGUF_CANONICAL_DIR is set")
    func exportForThePythonCheck() throws {
        guard let dir = ProcessInfo.processInfo.environment["INGOT_GGUF_CANONICAL_DIR"] else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for m in ["llama-gqa", "llama-tied", "qwen2"] {
            try exportGGUF("\(dir)/\(m)-from-hf.gguf", try HFCanonicalFixture(ModelFixtures.path("\(m)/safetensors")))
        }
        let ggufs = ModelFixtures.gqaTypes.map { ModelFixtures.gguf("llama-gqa", $0) }
            + ModelFixtures.tiedTypes.map { ModelFixtures.gguf("llama-tied", $0) } + ["llama-k256/llama-k256-Q4_K_M.gguf"]
        for rel in ggufs {
            let name = (rel as NSString).lastPathComponent.replacingOccurrences(of: ".gguf", with: "")
            try exportGGUF("\(dir)/\(name)-roundtrip.gguf", try CanonicalGGUFSource(path: ModelFixtures.path(rel)))
        }
    }

    @Test("llama-3 rope scaling from a transformers 4 config (rope_theta + rope_scaling) gives the same rope_freqs.weight")
    func v4ConfigRopeFreqs() throws {
        let hf = try ModelFixtures.readJSON(ModelFixtures.path("llama-gqa/config.v4-style.json"))
        let c = try #require(try ModelFamilies.config(fromHF: hf)).json
        let cfg = try GGUFCanonicalConfig(config: c, hfConfig: hf)
        guard case let .llama3(p) = cfg.rope else { Issue.record("no llama3 scaling"); return }
        let expected = (ModelFixtures.model("llama-gqa")["rope_freqs_factors"]?.arrayValue ?? []).compactMap(\.doubleValue).map(Float.init)
        #expect(p.factors(theta: cfg.ropeTheta, headDim: 16) == expected)
    }
}

/// What the converter does to a bf16 checkpoint: 1-D tensors (norms, biases) widened to F32 — exactly — and the
/// 2-D weights kept; llama q/k biases permuted like their weights.
@Suite struct GGUFCanonicalExportWideningTests {
    @Test("bf16 llama with attention bias: norms and biases become F32, q/k biases permuted, and import undoes it all")
    func bf16WithBias() throws {
        var c = JSONObject()
        for (k, v) in [("vocab_size", 4), ("hidden_size", 8), ("num_layers", 1), ("num_heads", 2), ("num_kv_heads", 1),
                       ("head_dim", 4), ("ffn_size", 8), ("max_positions", 16)] { c[k] = .int(Int64(v)) }
        c["norm_eps"] = .double(1e-5)
        c["attention_bias"] = .bool(true)
        let src = MemorySource(metadata: JSONObject([("ingot.architecture", .string("llama")), ("ingot.config", .object(c))]))
        var r = TestRandom(state: 11)
        func bf16(_ n: Int) -> [UInt8] { (0..<n).flatMap { _ in [UInt8(truncatingIfNeeded: r.next()), UInt8(0x3f)] } }
        try src.add("model.embed_tokens.weight", .bf16, [4, 8], bytes: bf16(32))
        try src.add("model.layers.0.input_layernorm.weight", .bf16, [8], bytes: bf16(8))
        try src.add("model.layers.0.self_attn.q_proj.weight", .bf16, [8, 8], bytes: bf16(64))
        try src.add("model.layers.0.self_attn.q_proj.bias", .bf16, [8], bytes: bf16(8))
        try src.add("model.layers.0.self_attn.k_proj.bias", .bf16, [4], bytes: bf16(4))
        let dir = TempDir()
        let out = dir.file("bf16.gguf")
        try exportGGUF(out, src)
        let back = try GGUFFile(path: out)
        #expect(back.tensorInfo("token_embd.weight")?.type == .bf16)
        #expect(back.tensorInfo("blk.0.attn_q.weight")?.type == .bf16)
        for n in ["blk.0.attn_norm.weight", "blk.0.attn_q.bias", "blk.0.attn_k.bias"] { #expect(back.tensorInfo(n)?.type == .f32, "\(n)") }
        let qBias = try floats(try src.load("model.layers.0.self_attn.q_proj.bias"), src.descriptors[3].layout)
        #expect(bytes(try back.load("blk.0.attn_q.bias")) == (try ggufOrder(qBias, rows: 8, heads: 2)))
        let g = try CanonicalGGUFSource(back)
        #expect(g.metadata["ingot.config"]?.objectValue?["attention_bias"] == .bool(true))
        for d in src.descriptors {
            let mine = try floats(try g.load(d.name), try #require(g.descriptors.first { $0.name == d.name }).layout)
            #expect(mine == (try floats(try src.load(d.name), d.layout)), "\(d.name)")
        }
    }
}

/// llama.cpp's rules for what a GGUF must hold to run: F32 norms and biases whatever the model's type, and a tokenizer.
@Suite struct GGUFRunnableExportTests {
    @Test(arguments: [DType.f32, .f16, .bf16])
    func oneDimensionalTensorsAndNormsAreF32(_ dtype: DType) throws {
        let dir = TempDir()
        let src = try CastSource(HFDirectory(path: ModelFixtures.path("llama-gqa/safetensors")), to: dtype)
        let out = dir.file("m.gguf")
        try exportGGUF(out, src, requireTokenizer: true)
        let g = try GGUFFile(path: out)
        for d in g.descriptors where d.layout.shape.count <= 1 || d.name.hasSuffix("_norm.weight") {
            #expect(d.layout.dtype == .f32, "\(d.name) is \(d.layout.dtype)")
        }
        #expect(g.descriptors.contains { $0.layout.shape.count == 2 && $0.layout.dtype == dtype })
    }

    /// A GGUF source cast to f16 (the path that produced files llama.cpp aborts on): its norms come back F32.
    @Test func aGGUFSourceCastToF16KeepsF32Norms() throws {
        let dir = TempDir()
        let src = try CastSource(CanonicalGGUFSource(path: ModelFixtures.path(ModelFixtures.gguf("llama-gqa", "Q8_0"))), to: .f16)
        try exportGGUF(dir.file("m.gguf"), src, requireTokenizer: true)
        let g = try GGUFFile(path: dir.file("m.gguf"))
        #expect(g.descriptors.filter { $0.layout.shape.count == 1 }.allSatisfy { $0.layout.dtype == .f32 })
        // --dtype means the same for every output: the Q8_0 blocks were dequantized and cast.
        #expect(g.descriptors.filter { $0.layout.shape.count == 2 }.allSatisfy { $0.layout.dtype == .f16 })
    }

    @Test func aModelWithoutATokenizerIsRefusedUnlessAllowed() throws {
        let dir = TempDir()
        let full = try HFCanonicalFixture(ModelFixtures.path("llama-gqa/safetensors"))
        var meta = full.metadata
        meta["ingot.tokenizer"] = nil
        let src = ClosureSource(full.descriptors, metadata: meta) { try full.load($0.name) }
        #expect(throws: FileError.self) { try exportGGUF(dir.file("m.gguf"), src, requireTokenizer: true) }
        #expect(!FileManager.default.fileExists(atPath: dir.file("m.gguf")))
        let warnings = try exportGGUF(dir.file("m.gguf"), src)
        #expect(warnings.contains { $0.hasPrefix("no tokenizer") })
    }
}
