import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// The Hugging Face directory writer: which side files come from which metadata, how they are written, and what
/// it refuses. (Whole models through `convert` are in IngotKitTests' DirectoryOutputTests.)
@Suite struct HFDirectoryWriterTests {
    let tensor: TensorDescriptor

    init() throws {
        tensor = TensorDescriptor(name: "w", layout: try TensorLayout(name: "w", dtype: .f32, shape: [2], groupSize: nil))
    }

    func write(_ meta: JSONObject, to dir: String, overwrite: Bool = false) throws -> HFDirectoryWriter {
        let w = try HFDirectoryWriter(path: dir, metadata: meta, tensors: [tensor], overwrite: overwrite)
        try w.write(ClosureSource([tensor]) { _ in [Float(1), 2].withUnsafeBytes { TensorBuffer(copying: $0) } })
        return w
    }

    func text(_ path: String) -> String { String(decoding: readBytes(path), as: UTF8.self) }

    @Test func configFilesAreIndentedJSONInStoredKeyOrder() throws {
        let dir = TempDir()
        let hf = JSONObject([("model_type", .string("bert")), ("layer_norm_eps", .double(1e-12)), ("architectures", .array([.string("BertModel")]))])
        _ = try write(JSONObject([("ingot.hf_config", .object(hf))]), to: dir.path)
        #expect(text(dir.file("config.json")) == "{\n  \"model_type\": \"bert\",\n  \"layer_norm_eps\": 1e-12,\n  \"architectures\": [\n    \"BertModel\"\n  ]\n}\n")
    }

    @Test func theTokenizerTextIsWrittenVerbatim() throws {
        let dir = TempDir()
        let raw = "{ \"version\":\"1.0\",\n\t\"model\": {} }"
        _ = try write(JSONObject([("ingot.tokenizer", .object(JSONObject([("tokenizer_json", .string(raw))])))]), to: dir.path)
        #expect(text(dir.file("tokenizer.json")) == raw)
    }

    @Test func aChatTemplateOutsideTheTokenizerConfigGetsItsOwnFile() throws {
        let dir = TempDir()
        let tc = JSONObject([("chat_template", .string("in config"))])
        _ = try write(JSONObject([("ingot.tokenizer", .object(JSONObject([("tokenizer_config", .object(tc)), ("chat_template", .string("in config"))])))]), to: dir.file("a"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("a/chat_template.jinja")))
        _ = try write(JSONObject([("ingot.tokenizer", .object(JSONObject([("chat_template", .string("{{ x }}"))])))]), to: dir.file("b"))
        #expect(text(dir.file("b/chat_template.jinja")) == "{{ x }}")
    }

    @Test func sentenceTransformersFilesComeFromTheirMetadata() throws {
        let dir = TempDir()
        let st = JSONObject([
            ("modules", .array([.object(JSONObject([("path", .string("1_Pooling"))]))])),
            ("module_configs", .object(JSONObject([("1_Pooling", .object(JSONObject([("pooling_mode_mean_tokens", .bool(true))])))]))),
            ("sentence_bert_config", .object(JSONObject([("max_seq_length", .int(128))]))),
        ])
        let w = try write(JSONObject([("ingot.sentence_transformers", .object(st))]), to: dir.path)
        #expect(Set(dir.entries) == ["model.safetensors", "modules.json", "1_Pooling", "sentence_bert_config.json"])
        #expect(text(dir.file("1_Pooling/config.json")) == "{\n  \"pooling_mode_mean_tokens\": true\n}\n")
        #expect(w.files.last == dir.file("model.safetensors"))
    }

    @Test func aModulePathLeavingTheDirectoryIsRefused() throws {
        let dir = TempDir()
        let st = JSONObject([("modules", .array([])), ("module_configs", .object(JSONObject([("../x", .object(JSONObject()))])))])
        let e = thrown(HFExportError.self) { _ = try write(JSONObject([("ingot.sentence_transformers", .object(st))]), to: dir.file("out")) }
        #expect(e == .badModulePath("../x"))
        #expect(dir.entries.isEmpty)
    }

    @Test func mistypedMetadataIsRefused() throws {
        let dir = TempDir()
        let e = thrown(HFExportError.self) { _ = try write(JSONObject([("ingot.hf_config", .string("{}"))]), to: dir.path) }
        #expect(e == .mistyped(key: "ingot.hf_config", expected: "an object"))
    }

    @Test func withoutAConfigTheWeightsAreWrittenWithAWarning() throws {
        let dir = TempDir()
        let w = try write(JSONObject([("ingot.tokenizer", .object(JSONObject([("tokens", .array([]))])))]), to: dir.path)
        #expect(dir.entries == ["model.safetensors"])
        #expect(w.warnings.contains { $0.contains("config.json could not be reconstructed") })
        #expect(w.warnings.contains { $0.contains("tokenizer.json could not be reconstructed") })
    }

    @Test func theWeightsMetadataDropsIngotKeysAndNamesTheFormat() throws {
        let dir = TempDir()
        _ = try write(JSONObject([("ingot.config", .object(JSONObject())), ("note", .string("kept"))]), to: dir.path)
        let f = try SafetensorsFile(path: dir.file("model.safetensors"))
        #expect(f.metadata == JSONObject([("note", .string("kept")), ("format", .string("pt"))]))
    }

    @Test func existingFilesAreRefusedUnlessOverwriting() throws {
        let dir = TempDir()
        let original = dir.write([1, 2, 3], name: "model.safetensors")
        let e = #expect(throws: FileError.self) { _ = try write(JSONObject(), to: dir.path) }
        #expect(e?.path == original && e?.underlying as? HFExportError == .fileExists)
        #expect(readBytes(original) == [1, 2, 3])
        _ = try write(JSONObject(), to: dir.path, overwrite: true)
        #expect(readBytes(original).count > 3)
    }

    @Test func aShardIndexThatWouldShadowTheWeightsIsRefusedEvenWhenOverwriting() throws {
        let dir = TempDir()
        _ = dir.write(Array("{}".utf8), name: "model.safetensors.index.json")
        let e = thrown(HFExportError.self) { _ = try write(JSONObject(), to: dir.path, overwrite: true) }
        #expect(e == .shadowingIndex("model.safetensors.index.json"))
    }

    @Test func aFileInPlaceOfTheDirectoryIsRefused() throws {
        let dir = TempDir()
        let f = dir.write([1], name: "out")
        #expect(thrown(HFExportError.self) { _ = try write(JSONObject(), to: f + "/") } == .notADirectory)
    }

    @Test func abortRemovesTheDirectoriesItMade() throws {
        let dir = TempDir()
        let w = try HFDirectoryWriter(path: dir.file("a/b/"), metadata: JSONObject(), tensors: [tensor])
        #expect(dir.entries == ["a"])
        w.abort()
        #expect(dir.entries.isEmpty)
    }

    @Test func droppingTheWriterLeavesNothing() throws {
        let dir = TempDir()
        do { _ = try HFDirectoryWriter(path: dir.file("out/"), metadata: JSONObject(), tensors: [tensor]) }
        #expect(dir.entries.isEmpty)
    }

    @Test func finishingTwiceIsRefusedAndKeepsTheFiles() throws {
        let dir = TempDir()
        let w = try write(JSONObject([("ingot.hf_config", .object(JSONObject()))]), to: dir.path)
        let e = #expect(throws: FileError.self) { try w.finish() }
        #expect(e?.underlying as? TensorWriteError == .closed(committed: true))
        w.abort()
        #expect(Set(dir.entries) == ["config.json", "model.safetensors"])
    }

    @Test func aFailedTensorAbandonsEveryFile() throws {
        let dir = TempDir()
        let hf = JSONObject([("model_type", .string("x"))])
        let w = try HFDirectoryWriter(path: dir.file("out"), metadata: JSONObject([("ingot.hf_config", .object(hf))]), tensors: [tensor])
        #expect(throws: FileError.self) { try [Float(1)].withUnsafeBytes { try w.append(tensor, bytes: $0) } }
        #expect(dir.entries.isEmpty)
    }
}
