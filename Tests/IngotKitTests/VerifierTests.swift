import Foundation
import IngotFormat
import IngotInterop
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
        // No inputs given: the default evaluation set — its text in windows, and its prompts, all identical.
        let t = try #require(v.textScores)
        #expect(t.source == "default evaluation set")
        #expect(v.sequences.count == t.windows)
        #expect(v.greedy?.agreement == 1)
        #expect(v.greedy?.prompts.count == 12)
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

    @Test func aShardedCandidateIsStampedInItsIndex() throws {
        let dir = KitFixtures.tempDir()
        var r = ConvertRequest(source: Self.models.q4, output: dir + "/model.ingot")
        r.maxShardBytes = 40_000
        _ = try Converter.convert(r)
        let shards = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".ingot") }.sorted()
        let before = try shards.map { try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)) }
        // Given a shard: the model (through its index) is verified and stamped; no shard changes.
        let v = try Verifier.verify(VerifyRequest(candidate: dir + "/" + shards[0], reference: KitFixtures.llama))
        try Verifier.stamp(v)
        #expect(try shards.map { try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)) } == before)
        let model = try openModelSource(path: dir)
        #expect(model.metadata["ingot.verify"]?.objectValue?["verdict"]?.stringValue == (v.verdict.pass ? "PASS" : "FAIL"))
        #expect(try CheckReport.check(path: dir).tensors == model.descriptors.count)
    }

    @Test func onlyAnIngotCandidateCanBeStamped() throws {
        let v = try Verifier.verify(VerifyRequest(candidate: KitFixtures.llama, reference: Self.models.same))
        #expect(throws: PipelineError.stampNeedsIngotFile(path: KitFixtures.llama)) { try Verifier.stamp(v) }
    }

    @Test func progressCountsEveryInput() throws {
        var items: [(Int, Int, String)] = []
        let r = VerifyRequest(candidate: Self.models.same, reference: KitFixtures.llama, text: ("t", "Hello weights. " + String(repeating: "Ingot converts models. ", count: 20)),
                              prompts: [.text("Hello")], context: 16, greedyTokens: 3)
        _ = try Verifier.verify(r) { done, total, item in items.append((done, total, item)) }
        #expect(items.first?.2 == "window 1 of \(items.filter { $0.2.hasPrefix("window") }.count)")
        #expect(items.last.map { $0.0 == $0.1 } == true)
        #expect(items.filter { $0.2 == "greedy: Hello" }.count == 2)
    }

    @Test func logitsReportProgressPerLayer() throws {
        var seen: [(Int, Int)] = []
        _ = try ModelRunner(path: KitFixtures.llama).run([1, 2, 3]) { done, total, _ in seen.append((done, total)) }
        #expect(seen.map(\.0) == [1, 2])
        #expect(seen.allSatisfy { $0.1 == 2 })
    }

    @Test func aTextIsScoredOnTheSecondHalfOfEachWindow() throws {
        let text = String(repeating: "Weights are tensors; tensors are bytes. ", count: 30)
        let r = VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.llama, text: ("t", text), context: 32)
        let v = try Verifier.verify(r)
        let t = try #require(v.textScores)
        #expect(t.windows == t.tokens.count / 32)
        // Positions 16…30 of each 32-token window predict tokens 17…31: 15 per window.
        #expect(t.positions.count == 15 * t.windows)
        #expect(v.comparison?.positions == 15 * t.windows)
        #expect(t.positions.first?.offset == 17)
        #expect(t.positions.allSatisfy { $0.score.target == t.tokens[$0.offset] })
        #expect(t.pieces.joined() == (try ModelText.load(path: KitFixtures.llama).decode(t.tokens)))
        #expect(v.greedy == nil)
        let capped = try Verifier.verify(VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.llama, text: ("t", text),
                                                       context: 32, maxWindows: 2))
        #expect(capped.textScores?.windows == 2)
    }

    @Test func promptsAloneAreRunGreedilyAndScored() throws {
        let r = VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.llama,
                              prompts: [.text("Hello"), .messages([.object(JSONObject([("role", .string("user")), ("content", .string("Hi"))]))])],
                              greedyTokens: 5)
        let v = try Verifier.verify(r)
        let g = try #require(v.greedy)
        #expect(g.prompts.count == 2)
        #expect(g.prompts.allSatisfy { $0.reference.count <= 5 && $0.candidate.count <= 5 })
        for p in g.prompts {
            if let d = p.firstDivergence { #expect(Array(p.reference.prefix(d)) == Array(p.candidate.prefix(d))) }
            else { #expect(p.reference == p.candidate) }
        }
        #expect(v.sequences == g.prompts.map(\.promptIDs))
        #expect(v.textScores == nil)
    }

    @Test func aGreedyLimitJudgesAgreement() throws {
        var r = VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.llama,
                              prompts: [.text("The capital of France is"), .text("One, two, three,")], greedyTokens: 16)
        r.minGreedy = 1
        r.maxKLD = 100
        r.minTop1 = 0
        let v = try Verifier.verify(r)
        let a = try #require(v.greedy?.agreement)
        #expect(v.verdict.pass == (a >= 1))
        if a < 1 { #expect(v.verdict.reasons.contains { $0.hasPrefix("greedy agreement") }) }
        r.minGreedy = 0
        #expect(try Verifier.verify(r).verdict.pass)
    }

    @Test func theDefaultSetNeedsATokenizer() throws {
        let qwen = KitFixtures.root + "/fixtures/models/qwen2/safetensors"
        #expect(throws: PipelineError.textNeedsTokenizer(path: qwen)) { try Verifier.verify(VerifyRequest(candidate: qwen, reference: qwen)) }
        // Token ids still work for it.
        #expect(try Verifier.verify(VerifyRequest(candidate: qwen, reference: qwen, sequences: [[1, 2, 3]])).verdict.pass)
    }

    @Test func textInputsOutsideTheirRangesAreRefused() {
        var r = VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.llama, context: 2)
        #expect(throws: PipelineError.badContext(2)) { try Verifier.verify(r) }
        r = VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.llama, greedyTokens: 0)
        #expect(throws: PipelineError.badGreedyTokens(0)) { try Verifier.verify(r) }
        r = VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.llama, maxWindows: 0)
        #expect(throws: PipelineError.badMaxWindows(0)) { try Verifier.verify(r) }
        r = VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.llama, minGreedy: 1.5)
        #expect(throws: PipelineError.badMinGreedy(1.5)) { try Verifier.verify(r) }
        r = VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.llama, text: ("t", "a"))
        #expect(throws: PipelineError.self) { try Verifier.verify(r) }
    }
}
