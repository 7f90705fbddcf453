import Foundation
import IngotFormat
import IngotInterop
import IngotQuant
import Testing

@testable import IngotKit

/// llama.cpp mixes into GGUF, importance matrices from `calibrate` into `convert`.
@Suite struct QuantMixTests {
    static let k256 = KitFixtures.root + "/fixtures/models/llama-k256/llama-k256-Q4_K_M.gguf"

    /// llama-k256's Q4_K_M was written by llama.cpp's quantizer: requantizing its (dequantized) weights with the
    /// same mix must choose the same type for every tensor, and keep the blocks GGUF-exact.
    @Test func q4KMChoosesLlamaCppsTypes() throws {
        let d = KitFixtures.tempDir()
        _ = try Converter.convert(ConvertRequest(source: Self.k256, output: d + "/f32.gguf", dtype: .f32))
        let report = try Converter.convert(ConvertRequest(source: d + "/f32.gguf", output: d + "/q.gguf",
                                                          quantize: try QuantPolicy(recipe: .q4_k_m), method: .ref))
        let original = try GGUFFile(path: Self.k256), mine = try GGUFFile(path: d + "/q.gguf")
        #expect(original.tensorInfos.map(\.name) == mine.tensorInfos.map(\.name))
        for (a, b) in zip(original.tensorInfos, mine.tensorInfos) { #expect(a.type == b.type, "\(a.name)") }
        #expect(mine.value(forKey: "general.file_type") == .uint32(15))
        #expect(report.rows.contains { $0.to.dtype == .q6_k && $0.note?.hasPrefix("attn_v") == true })
        // Requantizing llama.cpp's own dequantized blocks with its reference arithmetic reproduces most of them
        // exactly (a block's values lie on its own grid); the rest differ by a rounding of the refitted scales.
        var same = 0
        for t in original.tensorInfos where t.type == .q4_K || t.type == .q6_K {
            if try original.storedBytes(t.name).withBytes({ Array($0) }) == mine.storedBytes(t.name).withBytes({ Array($0) }) { same += 1 }
        }
        #expect(same >= 1)
    }

    @Test func aGGUFOutputRefusesATensorItCannotQuantize() throws {
        let d = KitFixtures.tempDir()
        var huge = KitFixtures.weights(4 * 64, seed: 1)
        huge[40] = 65504 * 1e6
        try KitFixtures.writeSafetensors(d + "/h.safetensors", [("huge", [4, 64], huge)])
        let request = ConvertRequest(source: d + "/h.safetensors", output: d + "/h.gguf", quantize: try QuantPolicy(dtype: .q8_0, groupSize: 32))
        var request2 = request
        request2.allowNoTokenizer = true
        #expect(throws: (any Error).self) { try Converter.convert(request2) }
        #expect(!FileManager.default.fileExists(atPath: d + "/h.gguf"))
    }

    /// calibrate → GGUF imatrix → convert --imatrix: every quantized tensor is weighted, provenance names the file,
    /// and the legacy layout gives the same quantization (same means).
    @Test func calibrateThenQuantizeWithTheImportanceMatrix() throws {
        let d = KitFixtures.tempDir()
        try "1 5 9 13 2 6 10 14 3 7 11 15\n4 8 12 16 20 24 28 32 36 40 1 2\n".write(toFile: d + "/ids.txt", atomically: true, encoding: .utf8)
        let cal = try Calibrator.calibrate(CalibrateRequest(model: KitFixtures.llama, tokenFile: d + "/ids.txt", context: 16))
        #expect(cal.chunks == 2 && cal.tokens == 24)
        // Every matrix of the layer stack, by its GGUF name, saw every token.
        #expect(cal.imatrix.entries.contains { $0.name == "blk.0.attn_q.weight" })
        #expect(cal.imatrix.entries.allSatisfy { $0.counts == [24] && $0.sums.allSatisfy { $0 >= 0 } })
        try cal.write(to: d + "/m.imatrix", format: .gguf)
        try cal.write(to: d + "/m.dat", format: .legacy)
        #expect(throws: PipelineError.outputExists(path: d + "/m.dat")) { try cal.write(to: d + "/m.dat", format: .legacy) }

        func quantized(_ imatrix: String?) throws -> (ConvertReport, [UInt8]) {
            var r = ConvertRequest(source: KitFixtures.llama, output: d + "/q-\(UUID().uuidString).ingot",
                                   quantize: try QuantPolicy(dtype: .q4_0, groupSize: 32))
            if let imatrix {
                r.imatrix = (imatrix, try ImatrixFile.read(path: imatrix))
                r.imatrixHash = try ImatrixFile.hash(path: imatrix)
            }
            let report = try Converter.convert(r)
            let f = try IngotFile(path: r.output)
            return (report, try f.load("model.layers.0.self_attn.q_proj.weight").withBytes { Array($0) })
        }
        let (plain, plainBytes) = try quantized(nil)
        let (gguf, ggufBytes) = try quantized(d + "/m.imatrix")
        let (_, legacyBytes) = try quantized(d + "/m.dat")
        #expect(plain.quantizedCount == gguf.quantizedCount)
        #expect(ggufBytes != plainBytes, "the importance weights changed nothing")
        #expect(legacyBytes == ggufBytes)
        let prov = try IngotFile(path: gguf.output).metadata["ingot.provenance"]?.objectValue?["options"]?.objectValue?["imatrix"]?.objectValue
        #expect(prov?["file"] == .string("m.imatrix"))
        #expect(prov?["xxh3"]?.stringValue?.count == 16)
    }

    @Test func aMissingEntryIsAnErrorUnlessPartial() throws {
        let d = KitFixtures.tempDir()
        let m = ImportanceMatrix(entries: [.init(name: "blk.0.attn_q.weight", columns: 64, sums: [Float](repeating: 1, count: 64), counts: [1])],
                                 datasets: [], chunkCount: 1, chunkSize: 1)
        var r = ConvertRequest(source: KitFixtures.llama, output: d + "/q.ingot", quantize: try QuantPolicy(dtype: .q4_0, groupSize: 32))
        r.imatrix = (d + "/m.imatrix", m)
        do {
            _ = try Converter.convert(r)
            Issue.record("quantized with an importance matrix that lacks tensors")
        } catch let e as FileError {
            #expect("\(e)".contains("no entry for tensor"))
        }
        r.imatrixPartial = true
        let report = try Converter.convert(r)
        #expect(report.warnings.contains { $0.message.contains("quantized unweighted") })
    }

    @Test func aColumnMismatchIsAlwaysAnError() throws {
        let d = KitFixtures.tempDir()
        let m = ImportanceMatrix(entries: [.init(name: "blk.0.attn_q.weight", columns: 3, sums: [1, 1, 1], counts: [1])],
                                 datasets: [], chunkCount: 1, chunkSize: 1)
        var r = ConvertRequest(source: KitFixtures.llama, output: d + "/q.ingot", quantize: try QuantPolicy(dtype: .q4_0, groupSize: 32))
        r.imatrix = (d + "/m.imatrix", m)
        r.imatrixPartial = true
        #expect(throws: FileError.self) { try Converter.convert(r) }
    }

    @Test func refTakesNoImportance() throws {
        var r = ConvertRequest(source: KitFixtures.llama, output: KitFixtures.tempDir() + "/q.ingot",
                               quantize: try QuantPolicy(dtype: .q4_0, groupSize: 32), method: .ref)
        r.imatrix = ("m.imatrix", ImportanceMatrix(entries: [], datasets: [], chunkCount: 0, chunkSize: 0))
        #expect(throws: PipelineError.importanceNeedsSearch) { try Converter.convert(r) }
    }
}

extension QuantMixTests {
    /// `calibrate` collects what llama-imatrix collects: on the fixture model and text llama-imatrix ran on
    /// (fixtures/imatrix), the same matrices, chunks and token counts, and sums within the two forward passes'
    /// float differences.
    @Test func calibrationMatchesLlamaImatrix() throws {
        let root = KitFixtures.root
        let model = root + "/fixtures/models/llama-gqa/gguf/llama-gqa-F32.gguf"
        let mine = try Calibrator.calibrate(CalibrateRequest(model: model, textFile: root + "/fixtures/imatrix/calibration.txt", context: 128)).imatrix
        let theirs = try ImatrixFile.read(path: root + "/fixtures/imatrix/llama-gqa.imatrix.gguf")
        #expect(mine.chunkCount == theirs.chunkCount && mine.chunkSize == theirs.chunkSize)
        #expect(Set(mine.entries.map(\.name)) == Set(theirs.entries.map(\.name)))
        for e in theirs.entries {
            let m = try #require(mine.entry(e.name))
            #expect(m.counts == e.counts, "\(e.name)")
            let worst = zip(m.sums, e.sums).map { abs($0 - $1) / max(abs($1), 1e-30) }.max() ?? 0
            #expect(worst < 2e-3, "\(e.name): relative difference \(worst)")
        }
    }
}

extension QuantMixTests {
    /// A GGUF quantized with an importance matrix records it as llama-quantize does, and the mix's file type.
    @Test func ggufRecordsTheImportanceMatrixLikeLlamaQuantize() throws {
        let d = KitFixtures.tempDir()
        try "1 5 9 13 2 6 10 14 3 7 11 15 4 8 12 16 20 24\n".write(toFile: d + "/ids.txt", atomically: true, encoding: .utf8)
        let cal = try Calibrator.calibrate(CalibrateRequest(model: KitFixtures.llama, tokenFile: d + "/ids.txt", context: 16))
        try cal.write(to: d + "/m.imatrix", format: .gguf)
        var r = ConvertRequest(source: KitFixtures.llama, output: d + "/q.gguf", quantize: try QuantPolicy(recipe: .q4_k_m))
        r.imatrix = (d + "/m.imatrix", try ImatrixFile.read(path: d + "/m.imatrix"))
        _ = try Converter.convert(r)
        let g = try GGUFFile(path: d + "/q.gguf")
        #expect(g.value(forKey: "general.file_type") == .uint32(15))
        #expect(g.value(forKey: "quantize.imatrix.file") == .string(d + "/m.imatrix"))
        #expect(g.value(forKey: "quantize.imatrix.dataset") == .string("ids.txt"))
        #expect(g.value(forKey: "quantize.imatrix.entries_count") == .uint32(UInt32(cal.imatrix.entries.count)))
        #expect(g.value(forKey: "quantize.imatrix.chunks_count") == .uint32(1))
    }
}
