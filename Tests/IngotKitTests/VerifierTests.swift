import Foundation
import IngotFormat
import IngotKit
import IngotQuant
import Testing

/// `Verifier` in process: verdicts, how thresholds are chosen, the requests it refuses, and the stamp.
@Suite struct VerifierTests {
    /// The llama fixture converted to .ingot (bit-identical tensors) and quantized to q4_0.
    static let models: (same: String, q4: String) = {
        let d = KitFixtures.tempDir()
        _ = try? Converter.convert(ConvertRequest(source: KitFixtures.llama, output: d + "/same.ingot"))
        let q4 = try? QuantPolicy(dtype: .q4_0, groupSize: 32)
        _ = try? Converter.convert(ConvertRequest(source: KitFixtures.llama, output: d + "/q4.ingot", quantize: q4))
        return (d + "/same.ingot", d + "/q4.ingot")
    }()

    @Test func identicalTensorsMustGiveIdenticalLogits() throws {
        let v = try Verifier.verify(VerifyRequest(candidate: Self.models.same, reference: KitFixtures.llama))
        #expect(v.verdict.pass)
        #expect(v.thresholds?.requireIdentical == true)
        #expect(v.comparison?.identical == true)
        #expect(v.sequences.count == 4)
    }

    @Test func defaultThresholdsFollowTheCandidatesLowestPrecisionType() throws {
        let v = try Verifier.verify(VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.llama))
        #expect(v.thresholds?.basis == "q4_0")
        #expect(v.thresholds?.maxMeanKLD == 0.10)
        #expect(v.thresholds?.minTop1 == 0.85)
    }

    @Test func aGivenLimitReplacesTheDefaultAndCanFail() throws {
        let v = try Verifier.verify(VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.llama, maxKLD: 1e-9))
        #expect(!v.verdict.pass)
        #expect(v.thresholds?.basis == "given")
        #expect(v.verdict.reasons.contains { $0.hasPrefix("mean KLD") })
        #expect(v.json.objectValue?["verdict"]?.stringValue == "FAIL")
    }

    @Test func givenSequencesAreTheOnesRun() throws {
        let v = try Verifier.verify(VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.llama, sequences: [[1, 2, 3, 4]]))
        #expect(v.sequences == [[1, 2, 3, 4]])
        #expect(v.comparison?.positions == 4)
    }

    @Test func limitsOutsideTheirRangeAreRefused() {
        let base = VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.llama)
        var r = base
        r.maxKLD = -1
        #expect(throws: PipelineError.badMaxKLD(-1)) { try Verifier.verify(r) }
        r = base
        r.minTop1 = 2
        #expect(throws: PipelineError.badMinTop1(2)) { try Verifier.verify(r) }
        r = base
        r.threads = 0
        #expect(throws: PipelineError.badThreadCount(0)) { try Verifier.verify(r) }
    }

    @Test func tokensOutsideTheVocabularyAreRefused() {
        let r = VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.llama, sequences: [[1, 1_000_000]])
        #expect(throws: PipelineError.self) { try Verifier.verify(r) }
    }

    @Test func stampWritesTheVerdictIntoTheCandidate() throws {
        let path = KitFixtures.tempDir() + "/c.ingot"
        try FileManager.default.copyItem(atPath: Self.models.q4, toPath: path)
        let tensorsBefore = try IngotFile(path: path).tensors
        let v = try Verifier.verify(VerifyRequest(candidate: path, reference: KitFixtures.llama))
        try Verifier.stamp(v)
        let f = try IngotFile(path: path)
        #expect(f.tensors == tensorsBefore)
        let stamp = f.metadata["ingot.verify"]?.objectValue
        #expect(stamp?["verdict"]?.stringValue == (v.verdict.pass ? "PASS" : "FAIL"))
        #expect(stamp?["ingot_version"]?.stringValue == IngotVersion.string)
    }

    @Test func onlyAnIngotCandidateCanBeStamped() throws {
        let v = try Verifier.verify(VerifyRequest(candidate: KitFixtures.llama, reference: Self.models.same))
        #expect(throws: PipelineError.stampNeedsIngotFile(path: KitFixtures.llama)) { try Verifier.stamp(v) }
    }

    @Test func progressNamesBothModels() throws {
        var items: [String] = []
        _ = try Verifier.verify(VerifyRequest(candidate: Self.models.same, reference: KitFixtures.llama, sequences: [[1, 2]])) { _, _, item in
            items.append(item)
        }
        #expect(items == ["reference", "candidate"])
    }
}
