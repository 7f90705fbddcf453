import IngotFamilies
import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// GGUF → canonical layout (specs/canonical.md §3), checked against the Hugging Face weights the fixture GGUF files
/// were made from and against gguf-py's dequantization of them (fixtures/models/expected.json).
@Suite struct GGUFCanonicalImportTests {
    static let hfDir = ModelFixtures.path("llama-gqa/safetensors")

    func open(_ model: String, _ type: String) throws -> CanonicalGGUFSource {
        try CanonicalGGUFSource(path: ModelFixtures.path(ModelFixtures.gguf(model, type)))
    }

    @Test("names, order and shapes are the Hugging Face ones; rope_freqs.weight is not a tensor", arguments: ModelFixtures.gqaTypes)
    func namesAndShapesAreCanonical(_ type: String) throws {
        let g = try open("llama-gqa", type)
        let hf = try SafetensorsFile(path: Self.hfDir + "/model.safetensors")
        #expect(g.family?.name == "llama")
        #expect(g.descriptors.map(\.name) == hf.descriptors.map(\.name))
        #expect(g.descriptors.map(\.layout.shape) == hf.descriptors.map(\.layout.shape))
        #expect(g.warnings.isEmpty)
    }

    @Test("F32: every tensor equals the safetensors weight byte for byte (q/k un-permuted)")
    func f32EqualsHFExactly() throws {
        let g = try open("llama-gqa", "F32")
        let hf = try SafetensorsFile(path: Self.hfDir + "/model.safetensors")
        for d in hf.descriptors {
            let got = bytes(try g.load(d.name))
            #expect(got == bytes(try hf.load(d.name)), "\(d.name)")
            let e = ModelFixtures.tensor("llama-gqa", "llama-gqa/safetensors/model.safetensors", d.name)
            #expect(e["xxh3_64"]?.stringValue == XXH3.hexString(XXH3.hash(got)), "\(d.name)")
        }
    }

    /// Put back in GGUF order, each tensor's f32 values hash like gguf-py's dequantization of the stored bytes, and
    /// differ from the Hugging Face weights by exactly what expected.json measured — so the rows are the right rows.
    @Test("F16/BF16/Q8_0/Q4_0/Q4_1: values equal gguf-py's dequantization", arguments: ModelFixtures.gqaTypes.dropFirst())
    func quantizedEqualGGUFPyDequantization(_ type: String) throws {
        let rel = ModelFixtures.gguf("llama-gqa", type)
        let g = try open("llama-gqa", type)
        let hf = try SafetensorsFile(path: Self.hfDir + "/model.safetensors")
        for d in g.descriptors {
            let values = try floats(try g.load(d.name), d.layout)
            let ggufName = try #require(LlamaFamily().gguf?.gguf(fromCanonical: d.name)).name
            let e = ModelFixtures.tensor("llama-gqa", rel, ggufName)
            var stored = values.withUnsafeBytes { Array($0) }
            if d.name.hasSuffix("q_proj.weight") { stored = try ggufOrder(values, rows: d.layout.shape[0], heads: 4) }
            if d.name.hasSuffix("k_proj.weight") { stored = try ggufOrder(values, rows: d.layout.shape[0], heads: 2) }
            #expect(e["dequant_xxh3_64"]?.stringValue == XXH3.hexString(XXH3.hash(stored)), "\(type) \(d.name)")
            let reference = try floats(try hf.load(d.name), try #require(hf.descriptors.first { $0.name == d.name }).layout)
            let maxDiff = zip(values, reference).map { abs(Double($0) - Double($1)) }.max() ?? 0
            let expected = e["vs_hf"]?.objectValue?["max_abs_diff"]?.doubleValue
            #expect(expected == maxDiff, "\(type) \(d.name)")
        }
    }

    @Test("ingot.config matches the family's config of the Hugging Face config.json", arguments: ModelFixtures.gqaTypes)
    func configMatchesHF(_ type: String) throws {
        let c = try #require(try open("llama-gqa", type).metadata["ingot.config"]?.objectValue)
        let hf = try #require(try ModelFamilies.config(fromHF: try ModelFixtures.readJSON(Self.hfDir + "/config.json"))).json
        for k in ["vocab_size", "hidden_size", "num_layers", "num_heads", "num_kv_heads", "head_dim", "ffn_size",
                  "max_positions", "tied_embeddings", "attention_bias", "norm", "activation", "position",
                  "bos_token_id", "eos_token_id"] {
            #expect(c[k] == hf[k], "\(k)")
        }
        // GGUF stores eps and theta as f32.
        for k in ["norm_eps", "rope_theta"] {
            let a = try #require(c[k]?.doubleValue), b = try #require(hf[k]?.doubleValue)
            #expect(Float(a) == Float(b), "\(k)")
        }
        let scaling = try #require(c["rope_scaling"]?.objectValue), hfScaling = try #require(hf["rope_scaling"]?.objectValue)
        #expect(scaling["rope_type"] == hfScaling["rope_type"])
        for k in ["factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"] {
            #expect(scaling[k]?.doubleValue != nil && scaling[k]?.doubleValue == hfScaling[k]?.doubleValue, "\(k)")
        }
        // Exact inversion: the factors need not be kept.
        #expect(try open("llama-gqa", type).metadata["ingot.gguf"]?.objectValue?[CanonicalGGUFSource.ropeFreqsKey] == nil)
    }

    @Test("tied embeddings: no output.weight, no lm_head.weight; MHA k uses n_head", arguments: ModelFixtures.tiedTypes)
    func tiedHasNoLMHead(_ type: String) throws {
        let g = try open("llama-tied", type)
        let hf = try SafetensorsFile(path: ModelFixtures.path("llama-tied/safetensors/model.safetensors"))
        #expect(g.descriptors.map(\.name) == hf.descriptors.map(\.name))
        #expect(!g.descriptors.contains { $0.name == "lm_head.weight" })
        let c = try #require(g.metadata["ingot.config"]?.objectValue)
        #expect(c["tied_embeddings"] == .bool(true))
        #expect(c["rope_scaling"] == .null)
        let rel = ModelFixtures.gguf("llama-tied", type)
        for d in g.descriptors where d.name.contains("_proj.weight") {
            let values = try floats(try g.load(d.name), d.layout)
            let rows = d.layout.shape[0]
            let stored = d.name.hasSuffix("q_proj.weight") || d.name.hasSuffix("k_proj.weight")
                ? try ggufOrder(values, rows: rows, heads: 4) : values.withUnsafeBytes { Array($0) }
            let e = ModelFixtures.tensor("llama-tied", rel, try #require(LlamaFamily().gguf?.gguf(fromCanonical: d.name)).name)
            #expect(e["dequant_xxh3_64"]?.stringValue == XXH3.hexString(XXH3.hash(stored)), "\(d.name)")
        }
    }

    @Test("ingot.tokenizer holds the tokenizer keys; the other tokenizer keys stay in ingot.gguf")
    func tokenizerKeysKept() throws {
        let path = ModelFixtures.path(ModelFixtures.gguf("llama-gqa", "Q8_0"))
        let raw = try GGUFFile(path: path)
        let t = try #require(try CanonicalGGUFSource(path: path).metadata["ingot.tokenizer"]?.objectValue)
        #expect(t["model"] == .string("gpt2"))
        #expect(t["pre"] == .string("gpt-2"))
        #expect(t["tokens"] == GGUFMetadata.json(try #require(raw.value(forKey: "tokenizer.ggml.tokens"))))
        #expect(t["token_type"] == GGUFMetadata.json(try #require(raw.value(forKey: "tokenizer.ggml.token_type"))))
        #expect(t["merges"] == GGUFMetadata.json(try #require(raw.value(forKey: "tokenizer.ggml.merges"))))
        #expect(t["tokens"]?.arrayValue?.count == 320 && t["merges"]?.arrayValue?.count == 61)
        #expect(t["bos_token_id"] == .int(1) && t["eos_token_id"] == .int(2))
        #expect(t["chat_template"] == raw.value(forKey: "tokenizer.chat_template").map(GGUFMetadata.json))
        let pairs = try #require(try CanonicalGGUFSource(path: path).metadata["ingot.gguf"]?.objectValue)
        #expect(pairs["tokenizer.ggml.padding_token_id"] == .int(0))
        #expect(pairs["tokenizer.ggml.add_bos_token"] == .bool(false))
        #expect(pairs["tokenizer.ggml.tokens"] == .null)
    }

    @Test("ingot.gguf lists every pair in file order: kept values as GGUFMetadata writes them, mapped ones null, all typed")
    func ingotGGUFKeepsEveryPair() throws {
        for type in ModelFixtures.gqaTypes {
            let path = ModelFixtures.path(ModelFixtures.gguf("llama-gqa", type))
            let raw = try GGUFFile(path: path)
            let pairs = try #require(try CanonicalGGUFSource(path: path).metadata["ingot.gguf"]?.objectValue)
            #expect(Array(pairs.keys.dropLast()) == raw.keyValues.map(\.key))
            #expect(pairs[GGUFMetadata.typesKey] == raw.metadata[GGUFMetadata.typesKey])
            for kv in raw.keyValues where pairs[kv.key] != .null {
                #expect(pairs[kv.key] == GGUFMetadata.json(kv.value), "\(kv.key)")
            }
            // What ingot.config / ingot.tokenizer carry is not duplicated; what they do not stays.
            for k in ["general.architecture", "llama.attention.head_count", "llama.rope.freq_base", "general.file_type",
                      "tokenizer.ggml.merges"] {
                #expect(pairs[k] == .null, "\(type) \(k)")
            }
            for k in ["general.name", "general.size_label", "general.type"] { #expect(pairs[k]?.stringValue != nil, "\(k)") }
        }
    }

    @Test("Q4_K_M (llama-k256): K-quants arrive as blocks, rows un-permuted; llama-3 factors for head_dim 64 invert exactly")
    func kQuantsKeptAndUnpermuted() throws {
        let rel = "llama-k256/llama-k256-Q4_K_M.gguf"
        let g = try CanonicalGGUFSource(path: ModelFixtures.path(rel))
        #expect(Set(g.descriptors.map(\.layout.dtype)).isSuperset(of: [.q4_k, .q6_k]))
        for d in g.descriptors {
            #expect(d.layout.dtype.isBlockQuantized || d.layout.shape.count == 1, "\(d.name)")
            let values = try floats(try g.load(d.name), d.layout)
            var stored = values.withUnsafeBytes { Array($0) }
            if d.name.hasSuffix("q_proj.weight") { stored = try ggufOrder(values, rows: d.layout.shape[0], heads: 4) }
            if d.name.hasSuffix("k_proj.weight") { stored = try ggufOrder(values, rows: d.layout.shape[0], heads: 2) }
            let e = ModelFixtures.tensor("llama-k256", rel, try #require(LlamaFamily().gguf?.gguf(fromCanonical: d.name)).name)
            #expect(e["dequant_xxh3_64"]?.stringValue == XXH3.hexString(XXH3.hash(stored)), "\(d.name)")
        }
        let scaling = try #require(g.metadata["ingot.config"]?.objectValue?["rope_scaling"]?.objectValue)
        let hf = try ModelFixtures.readJSON(ModelFixtures.path("llama-k256/config.json"))
        let params = try #require(hf["rope_parameters"]?.objectValue ?? hf["rope_scaling"]?.objectValue)
        #expect(scaling["original_max_position_embeddings"] == params["original_max_position_embeddings"])
        #expect(scaling["factor"]?.doubleValue == params["factor"]?.doubleValue)
        #expect(g.metadata["ingot.gguf"]?.objectValue?[CanonicalGGUFSource.ropeFreqsKey] == nil)
    }

    @Test("an architecture without a mapping keeps its names and pairs, with a warning")
    func unknownArchitecturePassesThrough() throws {
        let dir = TempDir()
        let p = dir.file("mamba.gguf")
        var r = TestRandom(state: 1)
        try writeGGUF(p, [GGUFKeyValue("general.architecture", .string("mamba")), GGUFKeyValue("mamba.block_count", .uint32(1))],
                      [("blk.0.ssm_a", [2, 4], r.floats(8)), ("token_embd.weight", [3, 4], r.floats(12))])
        let raw = try GGUFFile(path: p)
        let g = try CanonicalGGUFSource(raw)
        #expect(g.family?.name == nil)
        #expect(g.descriptors == raw.descriptors)
        #expect(g.metadata["ingot.architecture"] == .string("mamba"))
        #expect(g.metadata["ingot.gguf"] == .object(raw.metadata))
        #expect(g.warnings.count == 1)
        for d in g.descriptors { #expect(bytes(try g.load(d.name)) == bytes(try raw.load(d.name))) }
        // … and goes back to the same file.
        let out = dir.file("back.gguf")
        try exportGGUF(out, g)
        #expect(readBytes(out) == readBytes(p))
    }

    @Test("a tensor without a canonical name keeps its GGUF name, with a warning, and survives export")
    func unmappedTensorKept() throws {
        let dir = TempDir()
        let p = dir.file("extra.gguf")
        var r = TestRandom(state: 3)
        try writeGGUF(p, llamaPairs(), [("token_embd.weight", [4, 8], r.floats(32)), ("blk.0.attn_q.weight", [8, 8], r.floats(64)),
                                        ("blk.0.mystery.weight", [8], r.floats(8))])
        let g = try CanonicalGGUFSource(path: p)
        #expect(g.descriptors.map(\.name) == ["model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight", "blk.0.mystery.weight"])
        #expect(g.warnings.count == 1)
        let out = dir.file("back.gguf")
        try exportGGUF(out, g)
        #expect(readBytes(out) == readBytes(p))
    }
}
