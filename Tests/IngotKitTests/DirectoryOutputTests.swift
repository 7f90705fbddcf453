import Foundation
import IngotFormat
import IngotInterop
import IngotKit
import IngotQuant
import Testing

/// `convert … -o DIR/`: a Hugging Face directory that imports back to the same model — tensors byte for byte and
/// the config, tokenizer and sentence-transformers metadata equal — and the rules around writing one.
@Suite struct DirectoryOutputTests {
    /// Converts `source` to .ingot, then that to a directory; returns the directory.
    func throughIngot(_ source: String) throws -> String {
        let d = KitFixtures.tempDir()
        _ = try Converter.convert(ConvertRequest(source: source, output: d + "/m.ingot", compression: .zstd()))
        let report = try Converter.convert(ConvertRequest(source: d + "/m.ingot", output: d + "/out/"))
        #expect(report.format == .hfDirectory)
        #expect(report.warnings.isEmpty, "\(report.warnings)")
        return d + "/out"
    }

    func expectSameModel(_ a: HFDirectory, _ b: HFDirectory, keys: [String]) throws {
        #expect(a.descriptors == b.descriptors)
        for d in a.descriptors {
            #expect(try a.load(d.name).withBytes { Array($0) } == b.load(d.name).withBytes { Array($0) }, "\(d.name)")
        }
        for k in keys {
            #expect(a.metadata[k] != nil, "\(k) is in the original")
            #expect(a.metadata[k] == b.metadata[k], "\(k)")
        }
    }

    @Test func aSentenceTransformersModelComesBackWhole() throws {
        let out = try throughIngot(KitFixtures.bert)
        try expectSameModel(try HFDirectory(path: KitFixtures.bert), try HFDirectory(path: out), keys: [
            "ingot.architecture", "ingot.config", "ingot.hf_config", "ingot.tokenizer", "ingot.sentence_transformers",
        ])
        #expect(FileManager.default.fileExists(atPath: out + "/1_Pooling/config.json"))
        // The tokenizer is the original text, byte for byte.
        #expect(FileManager.default.contents(atPath: out + "/tokenizer.json") == FileManager.default.contents(atPath: KitFixtures.bert + "/tokenizer.json"))
    }

    @Test func aLlamaModelComesBackWithItsGenerationConfig() throws {
        let out = try throughIngot(KitFixtures.llama)
        try expectSameModel(try HFDirectory(path: KitFixtures.llama), try HFDirectory(path: out), keys: [
            "ingot.architecture", "ingot.config", "ingot.hf_config", "ingot.hf_generation_config", "ingot.tokenizer",
        ])
    }

    /// The fixtures were written by transformers / sentence-transformers with sorted keys and ASCII JSON, which is
    /// also the order and form import keeps: every file, weights included, comes back byte for byte.
    @Test(arguments: [KitFixtures.bert, KitFixtures.llama])
    func everyFixtureFileComesBackByteForByte(_ original: String) throws {
        let out = try throughIngot(original)
        let files = FileManager.default.enumerator(atPath: original)?.compactMap { $0 as? String } ?? []
        #expect(Set(files) == Set(FileManager.default.enumerator(atPath: out)?.compactMap { $0 as? String } ?? []))
        for f in files {  // a folder reads as nil on both sides
            #expect(FileManager.default.contents(atPath: out + "/" + f) == FileManager.default.contents(atPath: original + "/" + f), "\(f)")
        }
    }

    @Test func theWeightsKeepForeignMetadataWithoutIngotKeys() throws {
        let out = try throughIngot(KitFixtures.llama)
        let weights = try SafetensorsFile(path: out + "/model.safetensors")
        #expect(weights.metadata["format"] == .string("pt"))
        #expect(!weights.metadata.keys.contains { $0.hasPrefix("ingot.") })
    }

    @Test func aSourceWithoutAConfigGetsWeightsAndAWarning() throws {
        let d = KitFixtures.tempDir()
        let report = try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: d + "/out/"))
        #expect(report.warnings.contains { $0.message.contains("config.json could not be reconstructed") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: d + "/out") == ["model.safetensors"])
        #expect(report.outputBytes == (try FileManager.default.attributesOfItem(atPath: d + "/out/model.safetensors")[.size] as? Int))
        let back = try openModelSource(path: d + "/out/model.safetensors")
        #expect(back.descriptors == (try openModelSource(path: KitFixtures.tiny)).descriptors)
    }

    @Test func anExistingDirectoryWithoutASlashIsADirectoryOutput() throws {
        let d = KitFixtures.tempDir()
        let report = try Converter.convert(ConvertRequest(source: KitFixtures.llama, output: d))
        #expect(report.format == .hfDirectory)
        #expect(FileManager.default.fileExists(atPath: d + "/config.json"))
    }

    @Test func filesAlreadyThereAreKeptUnlessOverwriteIsAsked() throws {
        let d = KitFixtures.tempDir() + "/out/"
        _ = try Converter.convert(ConvertRequest(source: KitFixtures.llama, output: d))
        #expect(throws: PipelineError.outputExists(path: d + "config.json")) {
            try Converter.convert(ConvertRequest(source: KitFixtures.llama, output: d))
        }
        _ = try Converter.convert(ConvertRequest(source: KitFixtures.llama, output: d, overwrite: true))
    }

    @Test func quantizationAndCompressionNeedAnIngotOutput() throws {
        let d = KitFixtures.tempDir() + "/out/"
        #expect(throws: PipelineError.quantizationNeedsIngotOutput(.hfDirectory)) {
            try Converter.convert(ConvertRequest(source: KitFixtures.llama, output: d, quantize: try QuantPolicy(dtype: .q8_0, groupSize: 32)))
        }
        #expect(throws: PipelineError.compressionNeedsIngotOutput(.hfDirectory)) {
            try Converter.convert(ConvertRequest(source: KitFixtures.llama, output: d, compression: .zstd()))
        }
        #expect(!FileManager.default.fileExists(atPath: d))
    }

    @Test func quantizedTensorsAreDequantizedToTheCastType() throws {
        let d = KitFixtures.tempDir()
        let report = try Converter.convert(ConvertRequest(source: KitFixtures.llamaQ8, output: d + "/out/", dtype: .bf16))
        #expect(report.rows.contains { $0.from.dtype == .q8_0 })
        #expect(report.rows.allSatisfy { $0.to.dtype == .bf16 || !$0.to.dtype.isFloat })
        let back = try SafetensorsFile(path: d + "/out/model.safetensors")
        #expect(back.descriptors.allSatisfy { !$0.layout.dtype.isBlockQuantized })
    }
}
