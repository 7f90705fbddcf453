import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// llama-3 rope factors (`rope_freqs.weight`): computed as convert_hf_to_gguf.py computes them, and inverted.
@Suite struct GGUFCanonicalRopeTests {
    static func expected(_ model: String, _ key: String) -> [Float] {
        (ModelFixtures.model(model)[key]?.arrayValue ?? []).compactMap(\.doubleValue).map(Float.init)
    }

    @Test("factors equal the fixtures' bit for bit — from the config's original context, and with the converter's 8192",
          arguments: [("llama-gqa", 16), ("llama-k256", 64)])
    func factorsMatchConverter(_ model: String, _ headDim: Int) throws {
        let p = Llama3RopeFactors(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 32)
        let theta = try #require(ModelFixtures.model(model)["config"]?.objectValue?["rope_parameters"]?.objectValue?["rope_theta"]?.doubleValue)
        let fromConfig = Self.expected(model, "rope_freqs_factors")
        #expect(!fromConfig.isEmpty)
        #expect(p.factors(theta: theta, headDim: headDim).map(\.bitPattern) == fromConfig.map(\.bitPattern))
        var converter = p
        converter.originalMaxPositions = 8192
        #expect(converter.factors(theta: theta, headDim: headDim).map(\.bitPattern)
            == Self.expected(model, "rope_freqs_factors_convert_hf_to_gguf").map(\.bitPattern))
    }

    @Test("inverting the factors of published llama-3 configs gives their parameters back exactly",
          arguments: [(500000.0, 128, 8.0, 8192), (500000.0, 64, 32.0, 8192), (10000.0, 16, 8.0, 32), (500000.0, 128, 16.0, 4096)])
    func invertsPublishedConfigs(_ theta: Double, _ headDim: Int, _ factor: Double, _ original: Int) {
        let p = Llama3RopeFactors(factor: factor, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: original)
        #expect(Llama3RopeFactors.invert(p.factors(theta: theta, headDim: headDim), theta: theta, headDim: headDim,
                                         contextLength: 131072) == .exact(p))
    }

    @Test("other low/high factors: recovered up to the common scale, reproducing the factors exactly")
    func invertsOtherBands() {
        let p = Llama3RopeFactors(factor: 8, lowFreqFactor: 1, highFreqFactor: 2, originalMaxPositions: 8192)
        let f = p.factors(theta: 500000, headDim: 128)
        guard case let .exact(q) = Llama3RopeFactors.invert(f, theta: 500000, headDim: 128, contextLength: nil) else {
            Issue.record("not inverted")
            return
        }
        #expect(q.factors(theta: 500000, headDim: 128) == f)
    }

    @Test("all ones, wrong lengths, decreasing or non-finite factors")
    func degenerateFactors() {
        guard case let .exact(ones) = Llama3RopeFactors.invert([1, 1, 1, 1], theta: 10000, headDim: 8, contextLength: 64) else {
            Issue.record("ones not inverted")
            return
        }
        #expect(ones.factor == 1)
        #expect(Llama3RopeFactors.invert([1, 2, 2], theta: 10000, headDim: 8, contextLength: nil) == .none)
        #expect(Llama3RopeFactors.invert([2, 1, 1, 1], theta: 10000, headDim: 8, contextLength: nil) == .none)
        #expect(Llama3RopeFactors.invert([1, .nan, 8, 8], theta: 10000, headDim: 8, contextLength: nil) == .none)
        #expect(Llama3RopeFactors.invert([1, 2, 4, 8], theta: .infinity, headDim: 8, contextLength: nil) == .none)
        #expect(Llama3RopeFactors.invert([], theta: 10000, headDim: 0, contextLength: nil) == .none)
    }
}
