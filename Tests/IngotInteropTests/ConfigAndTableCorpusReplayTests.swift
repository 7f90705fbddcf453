import Foundation
import IngotFamilies
import IngotFormat
import Testing

@testable import IngotInterop

/// Replays the corpora of FuzzHFConfig and FuzzTensorTables (FuzzTesting/Corpus/hfconfig, …/tensortables) through
/// the code those targets run. `TableRecipe.swift` here is a symlink to FuzzTesting/Sources/FuzzSupport's, so an input
/// builds the same file in both places.
@Suite struct ConfigAndTableCorpusReplayTests {
    static func inputs(_ format: String) -> [String] {
        let dir = CorpusReplayTests.corpus + "/" + format
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { dir + "/" + $0 }
    }

    /// Every corpus folder is replayed by some test: a new fuzz target's corpus must be added to one.
    @Test func everyCorpusFolderIsReplayed() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: CorpusReplayTests.corpus).sorted()
        // tokenizer: IngotTextTests (FuzzCorpusReplayTests); template: IngotTextTests (TemplateCorpusReplayTests);
        // prompts: IngotKitTests (EvaluationSetTests).
        let replayed = ["gguf", "hfconfig", "imatrix", "ingot", "npy", "npz", "prompts", "pytorch", "safetensors", "shardindex", "template", "tensortables", "tokenizer"]
        #expect(folders == replayed, "replay a new corpus folder in CorpusReplayTests or here")
    }

    /// What FuzzHFConfig does with one input; returns how many configs were read.
    static func replayConfig(_ bytes: [UInt8]) -> Int {
        guard let object = (try? JSONParser.parse(bytes))?.objectValue else { return 0 }
        var read: [ModelConfig] = []
        if let c = try? ModelFamilies.config(fromHF: object) { read.append(c) }
        for family in ModelFamilies.all {
            if let c = try? family.config(fromHF: object) { read.append(c) }
            if let c = try? ModelConfig(family: family.name, config: object, hfConfig: object["ingot.hf_config"]?.objectValue) {
                read.append(c)
            }
        }
        if let c = try? ModelConfig(metadata: object) { read.append(c) }
        for c in read {
            #expect((try? ModelConfig(family: c.family, config: c.json)) == c, "\(c.json)")
        }
        return read.count
    }

    @Test func hfConfigCorpusReplays() {
        let files = Self.inputs("hfconfig")
        #expect(files.count >= 10)
        var read = 0
        for f in files { read += Self.replayConfig(readBytes(f)) }
        // The fixtures' config.json files and the canonical seeds are valid configs.
        #expect(read >= 10)
    }

    /// What FuzzTensorTables does with one input: returns the number of tensors opened, nil when the file is
    /// refused (with a FileError).
    static func replayTable(_ input: [UInt8], label: String) -> Int? {
        let (format, bytes) = TableRecipe.build(input)
        let mapped = bytes.withUnsafeBytes { MappedFile(copying: $0, path: label) }
        do {
            let source: any TensorSource
            switch format {
            case .gguf: source = try CanonicalGGUFSource(try GGUFFile(mapped: mapped))
            case .safetensors: source = try SafetensorsFile(mapped: mapped)
            case .ingot: source = try IngotFile(mapped: mapped)
            }
            for d in source.descriptors.prefix(TableRecipe.walked) {
                _ = try? source.load(d.name)
                for family in ModelFamilies.all {
                    _ = family.canonicalName(stored: d.name, shape: d.layout.shape)
                    _ = family.gguf?.canonical(fromGGUF: d.name)
                }
            }
            return source.descriptors.count
        } catch {
            #expect(error is FileError, "\(label): \(error)")
            return nil
        }
    }

    @Test func tensorTableCorpusReplays() {
        var opened: [String: Int] = [:]
        for f in Self.inputs("tensortables") {
            let name = URL(fileURLWithPath: f).lastPathComponent
            if let n = Self.replayTable(readBytes(f), label: name) { opened[name] = n }
        }
        // The seeds that describe valid files open, with every tensor.
        #expect(opened["gguf-llama-names"] == 16)
        #expect(opened["gguf-200k-empty"] == 200_000)
        #expect(opened["safetensors-200k"] == 200_000)
        #expect(opened["ingot-1000"] == 1000)
        #expect(opened["ingot-50k-empty"] == 50_000)
        // Lying counts, repeated names and over-long Ingot names are refused.
        for bad in ["gguf-tensor-count-2e40", "gguf-kv-count-2e40", "gguf-repeated-names", "safetensors-header-length-lie",
                    "safetensors-repeated-names", "ingot-4097-name"] {
            #expect(opened[bad] == nil, "\(bad) opened")
        }
    }
}
