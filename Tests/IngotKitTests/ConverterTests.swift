import Foundation
import IngotFormat
import IngotInterop
import IngotKit
import IngotQuant
import Testing

/// `Converter.convert` in process: every output format, casting, quantization (with its fallbacks and notes), and the
/// requests it refuses. One test per rule.
@Suite struct ConverterTests {
    @Test func convertsToIngotWithProvenance() throws {
        let out = KitFixtures.tempDir() + "/m.ingot"
        let report = try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: out))
        #expect(report.format == .ingot)
        #expect(report.rows.count == 21)
        #expect(report.outputBytes > report.bytesAfter)
        let f = try IngotFile(path: out)
        #expect(f.tensors.count == 21)
        #expect(f.metadata["ingot.provenance"]?.objectValue?["source_format"]?.stringValue == "safetensors")
    }

    @Test func castsFloatTensorsToTheRequestedType() throws {
        let out = KitFixtures.tempDir() + "/m.safetensors"
        let report = try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: out, dtype: .bf16))
        #expect(report.rows.allSatisfy { $0.to.dtype == .bf16 })
        #expect(try openModelSource(path: out).descriptors.allSatisfy { $0.layout.dtype == .bf16 })
    }

    @Test func safetensorsRoundTripIsByteIdentical() throws {
        let d = KitFixtures.tempDir()
        _ = try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: d + "/m.ingot", compression: .zstd(level: 3)))
        _ = try Converter.convert(ConvertRequest(source: d + "/m.ingot", output: d + "/back.safetensors"))
        #expect(FileManager.default.contents(atPath: d + "/back.safetensors") == FileManager.default.contents(atPath: KitFixtures.tiny))
    }

    @Test func exportsAModelToGGUF() throws {
        let out = KitFixtures.tempDir() + "/m.gguf"
        let report = try Converter.convert(ConvertRequest(source: KitFixtures.llama, output: out))
        #expect(report.format == .gguf)
        let back = try openModelSource(path: out)
        #expect(back.descriptors.count == report.rows.count)
    }

    @Test func quantizationReportsTypeAndErrorPerTensor() throws {
        let out = KitFixtures.tempDir() + "/q.ingot"
        let policy = try QuantPolicy(dtype: .q4_0, groupSize: 32, overrides: [try TypeOverride(pattern: "embed|lm_head", dtype: .q8_0)])
        let report = try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: out, quantize: policy))
        #expect(report.quantizedCount == 16)
        let embed = report.rows.first { $0.name == "model.embed_tokens.weight" }
        #expect(embed?.to.typeName == "q8_0/g32")
        #expect((embed?.error?.sqnrDB ?? 0) > 20)
        #expect(report.rows.contains { $0.note == "row 176 ∤ 32: whole row" })
        #expect(report.rows.first { $0.name == "model.norm.weight" }?.note == "1-D")
    }

    @Test func aGroupWhoseScaleOverflowsF16StaysFloatWithTheReason() throws {
        let d = KitFixtures.tempDir()
        var huge = KitFixtures.weights(4 * 64, seed: 1)
        huge[40] = 65504 * 1e6  // group 1 of row 0 needs a scale far beyond f16
        try KitFixtures.writeSafetensors(d + "/h.safetensors", [("huge", [4, 64], huge), ("fine", [4, 64], KitFixtures.weights(256, seed: 2))])
        let report = try Converter.convert(ConvertRequest(source: d + "/h.safetensors", output: d + "/h.ingot",
                                                          quantize: try QuantPolicy(dtype: .q8_0, groupSize: 32)))
        let row = report.rows.first { $0.name == "huge" }
        #expect(row?.to.dtype == .f32)
        #expect(row?.error == nil)
        #expect(row?.note == "scale of group 1 overflows f16")
        #expect(report.rows.first { $0.name == "fine" }?.to.dtype == .q8_0)
        #expect(try IngotFile(path: d + "/h.ingot").tensors.first { $0.name == "huge" }?.layout.dtype == .f32)
    }

    @Test func requantizingABlockTypeSaysSo() throws {
        let out = KitFixtures.tempDir() + "/q4.ingot"
        let report = try Converter.convert(ConvertRequest(source: KitFixtures.llamaQ8, output: out,
                                                          quantize: try QuantPolicy(dtype: .q4_0, groupSize: 32)))
        let requantized = report.rows.filter { $0.note == "requantized from q8_0" }
        #expect(!requantized.isEmpty)
        #expect(requantized.allSatisfy { $0.from.dtype == .q8_0 && $0.to.dtype == .q4_0 && $0.error != nil })
    }

    @Test func quantizationNeedsAnIngotOutput() throws {
        let out = KitFixtures.tempDir() + "/q.safetensors"
        let request = ConvertRequest(source: KitFixtures.tiny, output: out, quantize: try QuantPolicy(dtype: .q4_0, groupSize: 32))
        #expect(throws: PipelineError.quantizationNeedsIngotOutput(.safetensors)) { try Converter.convert(request) }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func compressionNeedsAnIngotOutput() {
        let request = ConvertRequest(source: KitFixtures.tiny, output: KitFixtures.tempDir() + "/m.gguf", compression: .zstd())
        #expect(throws: PipelineError.compressionNeedsIngotOutput(.gguf)) { try Converter.convert(request) }
    }

    @Test func anExistingOutputIsKeptUnlessOverwriteIsAsked() throws {
        let out = KitFixtures.tempDir() + "/m.ingot"
        _ = try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: out))
        #expect(throws: PipelineError.outputExists(path: out)) { try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: out)) }
        _ = try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: out, overwrite: true))
    }

    @Test func anUnknownOutputExtensionIsRefused() {
        let out = KitFixtures.tempDir() + "/m.bin"
        #expect(throws: PipelineError.unknownOutputFormat(path: out)) { try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: out)) }
    }

    @Test func onlyFloatCastTypesAreAccepted() {
        let request = ConvertRequest(source: KitFixtures.tiny, output: KitFixtures.tempDir() + "/m.ingot", dtype: .q4_0)
        #expect(throws: PipelineError.notAFloatType(.q4_0)) { try Converter.convert(request) }
    }

    @Test func progressCountsEveryTensor() throws {
        var seen: [(Int, Int)] = []
        _ = try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: KitFixtures.tempDir() + "/m.ingot")) { done, total, _ in
            seen.append((done, total))
        }
        #expect(seen.count == 21)
        #expect(seen.last.map { $0 == (21, 21) } == true)
    }

    @Test func reportJSONHasTheTableAndTotals() throws {
        let report = try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: KitFixtures.tempDir() + "/q.ingot",
                                                          quantize: try QuantPolicy(dtype: .q8_0, groupSize: 32)))
        let o = report.json.objectValue
        #expect(o?["tensors"]?.arrayValue?.count == 21)
        #expect(o?["totals"]?.objectValue?["quantized"]?.intValue == Int64(report.quantizedCount))
        let norm = o?["tensors"]?.arrayValue?.first { $0.objectValue?["name"]?.stringValue == "model.norm.weight" }
        #expect(norm?.objectValue?["rmse"] == .null)
    }
}
