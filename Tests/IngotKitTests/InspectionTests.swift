import Foundation
import IngotFamilies
import IngotFormat
import IngotKit
import IngotQuant
import Testing

/// `DiffReport`, `CheckReport`, `InspectReport` and `ModelRunner` in process, and the JSON conventions they share.
@Suite struct InspectionTests {
    @Test func diffOfAModelWithItselfIsAllIdenticalAndJSONSaysNull() throws {
        let out = KitFixtures.tempDir() + "/m.ingot"
        _ = try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: out))
        let d = try DiffReport.compare(KitFixtures.tiny, out)
        #expect(d.identicalCount == 21)
        let first = d.json.arrayValue?.first?.objectValue
        #expect(first?["sqnr_db"] == .null)  // +∞ dB: identical
        #expect(first?["cosine"]?.doubleValue == 1)
    }

    @Test func diffShowsQuantizationError() throws {
        let out = KitFixtures.tempDir() + "/q.ingot"
        _ = try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: out, quantize: try QuantPolicy(dtype: .q4_0, groupSize: 32)))
        let d = try DiffReport.compare(KitFixtures.tiny, out)
        #expect(d.identicalCount < 21)
        #expect(d.diff.worst.first.flatMap(\.sqnrDB).map { $0 > 5 && $0.isFinite } == true)
    }

    @Test func checkVerifiesEveryIngotChecksum() throws {
        let out = KitFixtures.tempDir() + "/m.ingot"
        let converted = try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: out))
        let c = try CheckReport.check(path: out)
        #expect(c.integrity == .checksums(verifiedBytes: converted.bytesAfter))
        #expect(c.tensors == 21)
        #expect(c.json.objectValue?["integrity"]?.stringValue == "xxh3")
    }

    @Test func checkOfAFormatWithoutChecksumsReadsEveryTensor() throws {
        let c = try CheckReport.check(path: KitFixtures.tiny)
        #expect(c.integrity == .none)
        #expect(c.format == "safetensors")
    }

    @Test func checkNamesTheCorruptTensor() throws {
        let out = KitFixtures.tempDir() + "/m.ingot"
        _ = try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: out))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: out))
        bytes[bytes.count - 3] ^= 0x40  // inside the last tensor
        try bytes.write(to: URL(fileURLWithPath: out))
        #expect { try CheckReport.check(path: out) } throws: { "\($0)".contains("model.norm.weight\": checksum mismatch") }
    }

    @Test func inspectJSONListsTensorsTotalsAndTypes() throws {
        let r = try InspectReport.inspect(path: KitFixtures.tiny, stats: true)
        let o = r.json.objectValue
        #expect(o?["tensors"]?.arrayValue?.count == 21)
        #expect(o?["totals"]?.objectValue?["params"]?.intValue == Int64(r.totalParams))
        #expect(o?["dtypes"]?.arrayValue?.count == r.byType.count)
        let stats = o?["tensors"]?.arrayValue?.first?.objectValue?["stats"]?.objectValue
        #expect(stats?["std"]?.doubleValue != nil)
    }

    @Test func inspectStatsOfQuantizedTensorsAreOfTheirValues() throws {
        let out = KitFixtures.tempDir() + "/q.ingot"
        _ = try Converter.convert(ConvertRequest(source: KitFixtures.tiny, output: out, quantize: try QuantPolicy(dtype: .q4_1, groupSize: 32)))
        let r = try InspectReport.inspect(path: out, stats: true)
        let q = r.rows.first { $0.descriptor.name == "model.layers.0.self_attn.q_proj.weight" }
        #expect(q?.descriptor.layout.typeName == "q4_1/g32")
        #expect((q?.stats?.std ?? 0) > 0.001)
    }

    @Test func modelRunnerGivesLogitsPerPositionAndTopTokens() throws {
        let r = try ModelRunner(path: KitFixtures.llama).run([1, 311, 273])
        #expect(r.logits.positions == 3)
        let top = r.top(5, at: 2)
        #expect(top.count == 5)
        #expect(top[0].token == r.logits.argmax(2))
        #expect(zip(top, top.dropFirst()).allSatisfy { $0.logit >= $1.logit })
        #expect(r.json.objectValue?["positions"]?.arrayValue?.count == 3)
    }

    @Test func modelRunnerNeedsAModelConfig() {
        #expect(throws: PipelineError.self) { try ModelRunner(path: KitFixtures.tiny) }
    }

    /// A config that is there but wrong is a bad file naming its key, not "needs a model config".
    @Test func modelRunnerRefusesAnInvalidSourceValueAsABadFile() {
        let gguf = KitFixtures.root + "/FuzzTesting/Corpus/gguf/freq_base_negative.gguf"
        do {
            _ = try ModelRunner(path: gguf)
            Issue.record("ran")
        } catch let e as FileError {
            #expect(e.path == gguf)
            #expect(e.underlying as? ModelConfigError == .invalidSourceValue(key: "llama.rope.freq_base", reason: "-5.0 is not a finite number > 0"))
        } catch {
            Issue.record("\(error)")
        }
    }

    /// A tensor whose bytes no longer match its checksum stops the forward pass with an error naming the file once.
    @Test func corruptWeightIsNamedOnce() throws {
        let dir = KitFixtures.tempDir()
        let good = dir + "/m.ingot", bad = dir + "/bad.ingot"
        _ = try Converter.convert(ConvertRequest(source: KitFixtures.llama, output: good))
        let f = try IngotFile(path: good)
        let t = try #require(f.tensors.first { $0.name.hasSuffix("q_proj.weight") })
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        bytes[f.dataOffset + t.offset + t.length / 2] ^= 0x5A
        try Data(bytes).write(to: URL(fileURLWithPath: bad))
        do {
            _ = try ModelRunner(path: bad).run([1, 2, 3])
            Issue.record("a corrupt weight was used")
        } catch {
            let text = "\(error)"
            #expect(text.contains("checksum mismatch") && text.contains(t.name), "\(text)")
            #expect(text.components(separatedBy: bad).count == 2, "the path appears more than once: \(text)")
        }
    }

    @Test func nonFiniteNumbersAreNullInJSON() {
        #expect(JSONValue.number(.infinity) == .null)
        #expect(JSONValue.number(-.infinity) == .null)
        #expect(JSONValue.number(.nan) == .null)
        #expect(JSONValue.number(nil) == .null)
        #expect(JSONValue.number(1.5) == .double(1.5))
    }

    @Test func tokenListsRefuseEmptyIds() throws {
        #expect(try TokenSequences.parse("1, 2 3") == [1, 2, 3])
        #expect(throws: PipelineError.badTokens("1,,2")) { try TokenSequences.parse("1,,2") }
        #expect(throws: PipelineError.badTokens("1,-2")) { try TokenSequences.parse("1,-2") }
    }
}
