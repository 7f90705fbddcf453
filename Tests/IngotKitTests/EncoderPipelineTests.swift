import Foundation
import IngotFormat
import IngotInterop
import IngotKit
import IngotModel
import IngotQuant
import Testing

/// Encoders through the pipelines: `embed` with the model's own or a chosen pooling, `verify` by embedding cosine
/// and hidden-state NMSE, conversion keeping the sentence-transformers configuration.
@Suite struct EncoderPipelineTests {
    static let ids = [2, 108, 78, 109, 59, 6, 3]

    static func reference(_ file: String) throws -> [Float] {
        let npy = try NpyFile(path: KitFixtures.root + "/fixtures/models/bert/" + file)
        return try npy.load(npy.name).withBytes { try FloatConversion.toFloats($0, dtype: npy.array.dtype) }
    }

    static func nmse(_ a: [Float], _ b: [Float]) -> Double {
        var e = 0.0, s = 0.0
        for (x, y) in zip(a, b) { e += Double(x - y) * Double(x - y); s += Double(y) * Double(y) }
        return a.count == b.count && s > 0 ? e / s : .infinity
    }

    /// The fixture converted to .ingot (identical tensors) and quantized to q8_0 and q4_0.
    static let models: (same: String, q8: String, q4: String) = {
        let d = KitFixtures.tempDir()
        _ = try? Converter.convert(ConvertRequest(source: KitFixtures.bert, output: d + "/same.ingot"))
        for (t, n) in [(DType.q8_0, "q8"), (.q4_0, "q4")] {
            let policy = try? QuantPolicy(dtype: t, groupSize: 32)
            _ = try? Converter.convert(ConvertRequest(source: d + "/same.ingot", output: d + "/\(n).ingot", quantize: policy))
        }
        return (d + "/same.ingot", d + "/q8.ingot", d + "/q4.ingot")
    }()

    @Test func embedUsesTheModelsOwnPooling() throws {
        let r = try ModelRunner(path: KitFixtures.bert).embed(Self.ids)
        #expect(r.pooling == Pooling(mode: .mean, normalize: true))
        #expect(r.shape == [64])
        #expect(Self.nmse(r.values, try Self.reference("embedding-0.npy")) < 1e-9)
        #expect(abs(r.norm - 1) < 1e-6)
    }

    @Test func embedWithoutPoolingGivesTheHiddenStates() throws {
        let r = try ModelRunner(path: KitFixtures.bert).embed(Self.ids, pooling: Pooling(mode: .none, normalize: false))
        #expect(r.shape == [7, 64])
        #expect(Self.nmse(r.values, try Self.reference("hidden-0.npy")) < 1e-9)
    }

    @Test func conversionKeepsThePoolingConfiguration() throws {
        let r = try ModelRunner(path: Self.models.same).embed(Self.ids)
        #expect(r.pooling == Pooling(mode: .mean, normalize: true))
        #expect(Self.nmse(r.values, try Self.reference("embedding-0.npy")) < 1e-9)
    }

    @Test func identicalTensorsMustGiveIdenticalHiddenStates() throws {
        let v = try Verifier.verify(VerifyRequest(candidate: Self.models.same, reference: KitFixtures.bert))
        #expect(v.verdict.pass)
        guard case let .encoder(e, t) = v.outcome else { Issue.record("not an encoder outcome"); return }
        #expect(t.requireIdentical && e.identical && abs(e.minCosine - 1) < 1e-12)
        #expect(v.json.objectValue?["kind"]?.stringValue == "encoder")
    }

    /// A few sentences (one per line) instead of the built-in set, to keep the debug-build tests quick.
    static let sentences = (name: "sentences", content: "Attention weights each token.\nQuantized encoders still embed sentences.\nA third, longer sentence about weights and files.\n")

    @Test func quantizedEncodersAreJudgedByTheirWeightType() throws {
        let v8 = try Verifier.verify(VerifyRequest(candidate: Self.models.q8, reference: KitFixtures.bert, text: Self.sentences))
        guard case let .encoder(e8, t8) = v8.outcome else { Issue.record("not an encoder outcome"); return }
        #expect(t8.basis == "q8_0" && v8.verdict.pass)
        let v4 = try Verifier.verify(VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.bert, text: Self.sentences))
        guard case let .encoder(e4, t4) = v4.outcome else { Issue.record("not an encoder outcome"); return }
        #expect(t4.basis == "q4_0")
        // Fewer bits, further from the reference.
        #expect(e4.hiddenNMSE > e8.hiddenNMSE && e4.minCosine < e8.minCosine)
        let metrics = v4.json.objectValue?["metrics"]?.objectValue
        #expect(metrics?["cosine_min"]?.doubleValue == e4.minCosine)
        #expect(metrics?["hidden_nmse"]?.doubleValue == e4.hiddenNMSE)
    }

    @Test func aGivenCosineLimitCanFail() throws {
        let v = try Verifier.verify(VerifyRequest(candidate: Self.models.q4, reference: KitFixtures.bert, text: Self.sentences, minCosine: 1))
        #expect(!v.verdict.pass)
        #expect(v.verdict.reasons.contains { $0.hasPrefix("min embedding cosine") })
    }

    @Test func anEncoderAgainstADecoderIsRefused() {
        #expect(throws: PipelineError.kindsDiffer(reference: "an encoder", candidate: "a decoder")) {
            _ = try Verifier.verify(VerifyRequest(candidate: KitFixtures.llama, reference: KitFixtures.bert, sequences: [[1, 2]]))
        }
        #expect(throws: PipelineError.self) {
            _ = try Verifier.verify(VerifyRequest(candidate: Self.models.q8, reference: KitFixtures.bert, minCosine: 2))
        }
    }

    @Test func logitsOfAnEncoderIsAClearError() {
        #expect(throws: FileError.self) { _ = try ModelRunner(path: KitFixtures.bert).logits([1, 2]) }
    }

    @Test func embedRefusesToOverwriteWithoutPermission() throws {
        let d = KitFixtures.tempDir()
        let out = d + "/e.npy"
        let r = try ModelRunner(path: KitFixtures.bert).embed(Self.ids)
        try r.writeNpy(to: out)
        #expect(throws: FileError.self) { try r.writeNpy(to: out) }
        try r.writeNpy(to: out, overwrite: true)
        #expect(throws: FileError.self) { try r.writeNpy(to: "/dev/null", overwrite: true) }
    }
}
