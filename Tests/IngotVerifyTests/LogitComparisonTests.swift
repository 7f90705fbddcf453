import Foundation
import IngotFormat
import IngotModel
import Testing

@testable import IngotVerify

/// The verify metrics, checked against values computed by hand.
@Suite struct LogitComparisonTests {
    func logits(_ rows: [[Float]]) -> Logits {
        Logits(positions: rows.count, vocab: rows[0].count, values: rows.flatMap { $0 })
    }

    @Test func identicalLogitsGiveZeroDivergence() {
        var acc = LogitComparison.Accumulator()
        let l = logits([[1, 2, 3], [0, 0, 5]])
        acc.add(reference: l, candidate: l, tokens: [2, 2])
        let c = acc.result
        #expect(c.identical && c.meanKLD == 0 && c.sameTop1 == 1 && c.logitNMSE == 0 && c.pplRatio == 1)
    }

    @Test func klDivergenceMatchesTheDefinition() {
        // p = softmax(0, log 3) = (1/4, 3/4); q = (1/2, 1/2): KL(p‖q) = ¼·ln(½) + ¾·ln(3/2).
        var acc = LogitComparison.Accumulator()
        acc.add(reference: logits([[0, Float(log(3.0))]]), candidate: logits([[0, 0]]), tokens: [0])
        let want = 0.25 * log(0.5) + 0.75 * log(1.5)
        #expect(abs(acc.result.meanKLD - want) < 1e-7)
        #expect(!acc.result.identical)
    }

    @Test func topTokenAgreementCountsPositions() {
        var acc = LogitComparison.Accumulator()
        acc.add(reference: logits([[3, 1], [3, 1]]), candidate: logits([[2, 1], [1, 3]]), tokens: [0, 0])
        #expect(acc.result.sameTop1 == 0.5)
    }

    @Test func perplexityScoresTheNextToken() {
        // One scored position: the reference gives the next token (1) probability ¾, the candidate ½.
        var acc = LogitComparison.Accumulator()
        acc.add(reference: logits([[0, Float(log(3.0))], [0, 0]]), candidate: logits([[0, 0], [0, 0]]), tokens: [0, 1])
        let c = acc.result
        #expect(abs(c.referencePPL - 4.0 / 3) < 1e-6)
        #expect(abs(c.candidatePPL - 2) < 1e-6)
        #expect(abs(c.rmsDeltaP - 0.25) < 1e-6)
    }

    @Test func percentilesComeFromTheSortedDivergences() {
        var acc = LogitComparison.Accumulator()
        for i in 0..<100 {
            let d = Float(i) / 50
            acc.add(reference: logits([[0, 0]]), candidate: logits([[d, 0]]), tokens: [0])
        }
        let c = acc.result
        #expect(c.maxKLD >= c.p99KLD && c.p99KLD >= c.medianKLD && c.medianKLD >= 0)
        #expect(c.positions == 100)
    }

    @Test func verdictUsesThresholds() {
        var c = LogitComparison()
        c.meanKLD = 0.02
        c.sameTop1 = 0.97
        c.identical = false
        #expect(!Verdict(c, Thresholds(maxMeanKLD: 0.01, minTop1: 0.95)).pass)
        #expect(Verdict(c, Thresholds(maxMeanKLD: 0.05, minTop1: 0.95)).pass)
        #expect(!Verdict(c, Thresholds(maxMeanKLD: 1, minTop1: 0, requireIdentical: true)).pass)
    }

    @Test func defaultThresholdsFollowTheLowestPrecisionType() {
        #expect(Thresholds.defaults(candidateTypes: [.f32, .q8_0, .q4_0], allIdentical: false).basis == "q4_0")
        #expect(Thresholds.defaults(candidateTypes: [.f32, .bf16], allIdentical: false).maxMeanKLD == 0.005)
        #expect(Thresholds.defaults(candidateTypes: [.f32], allIdentical: true).requireIdentical)
    }

    @Test func tensorDiffStatistics() {
        let (sqnr, maxAbs, cos) = TensorDiff.stats([1, 2, 3], [1, 2, 3])
        #expect(sqnr == .infinity && maxAbs == 0 && abs(cos - 1) < 1e-12)
        let (s2, m2, _) = TensorDiff.stats([3, 4], [3, 5])
        #expect(abs(s2 - 10 * log10(25.0)) < 1e-9 && m2 == 1)
    }

    /// An all-zero reference against a candidate that is not: no signal, only noise — never "identical".
    @Test func zeroReferenceIsNotIdentical() {
        let (sqnr, maxAbs, _) = TensorDiff.stats([0, 0, 0], [0, 5, 0])
        #expect(sqnr == -.infinity && maxAbs == 5)
        #expect(TensorDiff.Row(name: "t", a: nil, b: nil, sqnrDB: sqnr, maxAbs: maxAbs, cosine: 0).identical == false)
    }

    @Test func embeddingComparisonCosineAndNMSE() {
        var acc = EmbeddingComparison.Accumulator()
        let h = HiddenStates(positions: 1, width: 2, values: [3, 4])
        acc.add(reference: h, candidate: HiddenStates(positions: 1, width: 2, values: [3, 5]), referencePooled: [1, 0], candidatePooled: [1, 1])
        let e = acc.comparison
        #expect(abs(e.minCosine - 0.5.squareRoot()) < 1e-12 && abs(e.hiddenNMSE - 1.0 / 25) < 1e-12 && !e.identical)
        let zero = EmbeddingComparison.Accumulator.cosine([0, 0], [0, 0])
        #expect(zero == 1 && EmbeddingComparison.Accumulator.cosine([0, 0], [1, 0]) == 0)
    }

    @Test func encoderThresholdsFollowTheLowestPrecisionType() {
        let t = EncoderThresholds.defaults(candidateTypes: [.f32, .q8_0], allIdentical: false)
        #expect(t.basis == "q8_0" && t.minCosine == 0.998)
        let e = EmbeddingComparison()
        #expect(Verdict(e, EncoderThresholds.defaults(candidateTypes: [.f32], allIdentical: true)).pass)
    }
}
