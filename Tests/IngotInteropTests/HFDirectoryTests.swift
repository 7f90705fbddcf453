import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// Hugging Face model directories: single, sharded, config and tokenizer metadata, hostile indexes.
@Suite struct HFDirectoryTests {
    var models: String { Fixtures.dir + "/models" }

    func hashes(_ s: any TensorSource) throws -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for d in s.descriptors { out[d.name] = try s.load(d.name).withBytes { XXH3.hash($0) } }
        return out
    }

    @Test func shardedEqualsSingleFile() throws {
        let single = try HFDirectory(path: models + "/llama-gqa/safetensors")
        let sharded = try HFDirectory(path: models + "/llama-gqa/sharded")
        #expect(single.descriptors.count == 21)
        #expect(try hashes(sharded) == hashes(single))
        #expect(sharded.files.contains("model.safetensors.index.json"))
        #expect(sharded.files.filter { $0.hasSuffix(".safetensors") }.count == 3)
    }

    @Test func tensorsEqualTheProducersHashes() throws {
        let dir = try HFDirectory(path: models + "/llama-gqa/safetensors")
        let expected = Fixtures.expectedModels["models"]?.objectValue?["llama-gqa"]?.objectValue?["files"]?.objectValue?[
            "llama-gqa/safetensors/model.safetensors"]?.objectValue?["tensors"]?.objectValue
        let want = try #require(expected)
        for (name, v) in want {
            let h = v.objectValue?["xxh3_64"]?.stringValue
            #expect(try dir.load(name).withBytes { XXH3.hexString(XXH3.hash($0)) } == h, "\(name)")
        }
    }

    @Test func configBecomesCanonicalMetadata() throws {
        let dir = try HFDirectory(path: models + "/llama-gqa/safetensors")
        #expect(dir.metadata["ingot.architecture"] == .string("llama"))
        let c = try #require(dir.metadata["ingot.config"]?.objectValue)
        #expect(c["num_heads"] == .int(4))
        #expect(c["num_kv_heads"] == .int(2))
        #expect(c["head_dim"] == .int(16))
        #expect(c["rope_theta"] == .double(10000))
        #expect(c["rope_scaling"]?.objectValue?["rope_type"] == .string("llama3"))
        #expect(c["tied_embeddings"] == .bool(false))
        #expect(dir.metadata["ingot.hf_config"]?.objectValue?["model_type"] == .string("llama"))
    }

    @Test func tokenizerAndChatTemplateAreCarried() throws {
        let dir = try HFDirectory(path: models + "/llama-gqa/safetensors")
        let t = try #require(dir.metadata["ingot.tokenizer"]?.objectValue)
        #expect(t["tokenizer_json"]?.stringValue?.hasPrefix("{") == true)
        #expect(t["chat_template"]?.stringValue?.contains("im_start") == true)
    }

    @Test func gpt2AndQwen2Families() throws {
        let g = try HFDirectory(path: models + "/gpt2/safetensors")
        #expect(g.metadata["ingot.architecture"] == .string("gpt2"))
        #expect(g.metadata["ingot.config"]?.objectValue?["ffn_size"] == .int(256))  // n_inner null → 4 × 64
        let q = try HFDirectory(path: models + "/qwen2/safetensors")
        #expect(q.metadata["ingot.config"]?.objectValue?["attention_bias"] == .bool(true))
        #expect(q.metadata["ingot.config"]?.objectValue?["rope_theta"] == .double(1_000_000))
    }

    /// A scratch copy of the sharded fixture whose index can be edited.
    func shardedCopy(index: String) throws -> String {
        let d = NSTemporaryDirectory() + "ingot-hf-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        for f in try FileManager.default.contentsOfDirectory(atPath: models + "/llama-gqa/sharded") where f.hasSuffix(".safetensors") || f == "config.json" {
            try FileManager.default.copyItem(atPath: models + "/llama-gqa/sharded/" + f, toPath: d + "/" + f)
        }
        try index.write(toFile: d + "/model.safetensors.index.json", atomically: true, encoding: .utf8)
        return d
    }

    @Test func indexNamingAPathIsRefused() throws {
        let d = try shardedCopy(index: "{\"metadata\":{},\"weight_map\":{\"lm_head.weight\":\"../../etc/passwd\"}}")
        #expect(throws: FileError.self) { try HFDirectory(path: d) }
    }

    @Test func indexListingAMissingTensorIsRefused() throws {
        let d = try shardedCopy(index: "{\"metadata\":{},\"weight_map\":{\"nope.weight\":\"model-00001-of-00003.safetensors\"}}")
        do {
            _ = try HFDirectory(path: d)
            Issue.record("expected an error")
        } catch let e as FileError {
            #expect(e.path == d)
            #expect(e.underlying as? HFDirectoryError == .badIndex(file: "model.safetensors.index.json",
                reason: "lists \"nope.weight\" in model-00001-of-00003.safetensors, but no shard has a tensor of that name"))
        }
    }

    var validIndex: String { String(decoding: readBytes(models + "/llama-gqa/sharded/model.safetensors.index.json"), as: UTF8.self) }

    /// A syntax error in a side file names that file's role, never "header is not valid JSON" (the container
    /// readers' wording), and carries the directory as its path.
    @Test(arguments: ["config.json", "tokenizer.json", "model.safetensors.index.json", "tokenizer_config.json",
                      "generation_config.json"])
    func aSideFileWithAJSONSyntaxErrorIsNamed(_ file: String) throws {
        let d = try shardedCopy(index: validIndex)
        try "{\"model_type\": \"llama\",,}".write(toFile: d + "/" + file, atomically: true, encoding: .utf8)
        do {
            _ = try HFDirectory(path: d)
            Issue.record("opened")
        } catch let e as FileError {
            #expect(e.path == d)
            guard case let .invalidJSON(f, _)? = e.underlying as? HFDirectoryError else { Issue.record("\(e)"); return }
            #expect(f == file)
            #expect("\(e.underlying)".hasPrefix("\(file) is not valid JSON: "))
            #expect(!"\(e)".contains("header"))
        }
    }

    @Test func aSideFileOfTheWrongShapeOrEncodingIsNamed() throws {
        let d = try shardedCopy(index: "[]")
        #expect(thrown(HFDirectoryError.self) { _ = try HFDirectory(path: d) }
            == .wrongJSONType(file: "model.safetensors.index.json", expected: "object", found: "array"))
        try "{}".write(toFile: d + "/model.safetensors.index.json", atomically: true, encoding: .utf8)
        #expect(thrown(HFDirectoryError.self) { _ = try HFDirectory(path: d) }
            == .badIndex(file: "model.safetensors.index.json", reason: "no \"weight_map\" object"))
        try Data([0x7B, 0xFF, 0x7D]).write(to: URL(fileURLWithPath: d + "/config.json"))
        try validIndex.write(toFile: d + "/model.safetensors.index.json", atomically: true, encoding: .utf8)
        guard case .invalidJSON(file: "config.json", _)? = thrown(HFDirectoryError.self, { _ = try HFDirectory(path: d) }) else {
            Issue.record("a config.json that is not UTF-8 is refused naming it"); return
        }
        try "{}".write(toFile: d + "/config.json", atomically: true, encoding: .utf8)
        try Data([0x7B, 0xFF, 0x7D]).write(to: URL(fileURLWithPath: d + "/tokenizer.json"))
        #expect(thrown(HFDirectoryError.self) { _ = try HFDirectory(path: d) } == .notUTF8(file: "tokenizer.json"))
    }

    @Test func indexWithoutWeightMapIsRefused() throws {
        let d = try shardedCopy(index: "{\"metadata\":{}}")
        #expect(throws: FileError.self) { try HFDirectory(path: d) }
    }

    @Test func directoryWithoutWeightsIsAClearError() throws {
        let d = NSTemporaryDirectory() + "ingot-hf-empty-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        do {
            _ = try openModelSource(path: d)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("not a model directory"))
        }
    }

    @Test func provenanceHashesEveryFileRead() throws {
        let dir = try HFDirectory(path: models + "/llama-gqa/sharded")
        let p = try #require(Provenance.make(source: dir, version: "test", options: JSONObject()).objectValue)
        #expect(p["source_format"] == .string("hf-directory"))
        let files = p["files"]?.arrayValue ?? []
        #expect(files.count == dir.files.count)
        let cfg = files.first { $0.objectValue?["name"] == .string("config.json") }?.objectValue
        let bytes = readBytes(models + "/llama-gqa/sharded/config.json")
        #expect(cfg?["xxh3"] == .string(XXH3.hexString(XXH3.hash(bytes))))
    }

    @Test func gpt2LegacyNamesMapOntoCanonicalOnesAndMaskBuffersAreDropped() throws {
        // An older GPT-2 checkpoint layout: no `transformer.` prefix, causal-mask buffers stored as tensors.
        let fixture = try HFDirectory(path: models + "/gpt2/safetensors")
        let d = NSTemporaryDirectory() + "ingot-gpt2-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: models + "/gpt2/safetensors/config.json", toPath: d + "/config.json")
        let mask = TensorDescriptor(name: "h.0.attn.bias", layout: try TensorLayout(name: "m", dtype: .f32, shape: [1, 1, 4, 4], groupSize: nil))
        let legacy = fixture.descriptors.map { TensorDescriptor(name: String($0.name.dropFirst("transformer.".count)), layout: $0.layout) } + [mask]
        try SafetensorsWriter(path: d + "/model.safetensors", metadata: JSONObject(), tensors: legacy).write(ClosureSource(legacy) { t in
            t.name == mask.name ? TensorBuffer(copying: UnsafeRawBufferPointer(start: nil, count: 0)).withBytes { _ in
                [Float](repeating: 1, count: 16).withUnsafeBytes { TensorBuffer(copying: $0) }
            } : try fixture.load("transformer." + t.name)
        })
        let mapped = try HFDirectory(path: d)
        #expect(Set(mapped.descriptors.map(\.name)) == Set(fixture.descriptors.map(\.name)))
        #expect(mapped.warnings.contains("1 non-weight buffers dropped"))
        #expect(try hashes(mapped) == hashes(fixture))
    }
}

/// sentence-transformers directories: modules.json and each module's config come along as metadata; a module path
/// that leaves the directory is refused.
@Suite struct SentenceTransformersImportTests {
    static func copyFixture() throws -> String {
        let src = ModelFixtures.path("bert/safetensors")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.copyItem(atPath: src, toPath: dir)
        return dir
    }

    @Test func modulesAndPoolingConfigAreKept() throws {
        let d = try HFDirectory(path: ModelFixtures.path("bert/safetensors"))
        let st = try #require(d.metadata["ingot.sentence_transformers"]?.objectValue)
        #expect(st["modules"]?.arrayValue?.count == 3)
        #expect(st["module_configs"]?.objectValue?["1_Pooling"]?.objectValue?["pooling_mode_mean_tokens"] == .bool(true))
        #expect(st["sentence_bert_config"] != nil)
        #expect(d.files.contains("modules.json") && d.files.contains("1_Pooling/config.json"))
        #expect(d.metadata["ingot.architecture"] == .string("bert"))
    }

    @Test func moduleEscapingTheDirectoryIsRefused() throws {
        let dir = try Self.copyFixture()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let modules = #"[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}, {"idx": 1, "name": "1", "path": "../1_Pooling", "type": "sentence_transformers.models.Pooling"}]"#
        try modules.write(toFile: dir + "/modules.json", atomically: true, encoding: .utf8)
        #expect(throws: FileError.self) { try HFDirectory(path: dir) }
    }

    @Test func modulesThatAreNotAListAreRefused() throws {
        let dir = try Self.copyFixture()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "{}".write(toFile: dir + "/modules.json", atomically: true, encoding: .utf8)
        #expect(throws: FileError.self) { try HFDirectory(path: dir) }
    }
}
