import IngotModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How far a candidate's next-token distributions are from a reference's — the figures llama.cpp's
/// `perplexity --kl-divergence` reports, computed in f64 from f32 logits.
public struct LogitComparison: Sendable, Equatable {
    public var positions = 0
    public var meanKLD = 0.0
    public var medianKLD = 0.0
    public var p99KLD = 0.0
    public var maxKLD = 0.0
    /// Fraction of positions whose most likely token is the same.
    public var sameTop1 = 1.0
    /// RMS over scored positions of p_candidate(next token) − p_reference(next token).
    public var rmsDeltaP = 0.0
    /// Σ(candidate − reference)² / Σ reference², over all logits.
    public var logitNMSE = 0.0
    public var maxAbsLogitDelta = 0.0
    /// Perplexity of the given tokens (each position predicting the next one).
    public var referencePPL = Double.nan
    public var candidatePPL = Double.nan
    /// True when every logit is bit-identical.
    public var identical = true

    public var pplRatio: Double { candidatePPL / referencePPL }

    public init() {}

    /// One scored position: its KL divergence, both models' top tokens, and (when the next token is known) both
    /// models' log-probability of it.
    public struct PositionScore: Sendable, Equatable {
        public let kld: Double
        public let referenceTop: Int
        public let candidateTop: Int
        public let target: Int?
        public let referenceLogProb: Double?
        public let candidateLogProb: Double?
    }

    /// Accumulates sequences: `tokens[i + 1]` is the target of position i (the last position has none).
    public struct Accumulator {
        /// Every scored position in order, kept when `keepsPositions` (reports that plot them).
        public private(set) var scores: [PositionScore] = []
        public var keepsPositions = false
        var klds: [Double] = []
        var same = 0
        var dp2 = 0.0
        var scored = 0
        var nllRef = 0.0
        var nllCand = 0.0
        var err2 = 0.0
        var ref2 = 0.0
        var maxAbs = 0.0
        var identical = true

        public init() {}

        /// Scores positions `first…` of one sequence (earlier ones only give context, as in llama.cpp's perplexity,
        /// which scores the second half of each window).
        /// `until`: score positions before this one only (a window's last position has no next token to predict).
        public mutating func add(reference: Logits, candidate: Logits, tokens: [Int], from first: Int = 0, until: Int? = nil) {
            let t = min(reference.positions, candidate.positions, until ?? Int.max)
            for i in max(0, first)..<max(max(0, first), t) {
                let r = reference.row(i), c = candidate.row(i)
                let (pr, lr) = Self.logSoftmax(r)
                let (pc, lc) = Self.logSoftmax(c)
                var kld = 0.0
                for j in 0..<pr.count where pr[j] > 0 { kld += pr[j] * (lr[j] - lc[j]) }
                klds.append(max(0, kld))
                let (topR, topC) = (Logits.argmax(r), Logits.argmax(c))
                if topR == topC { same += 1 }
                for (a, b) in zip(r, c) {
                    let d = Double(b) - Double(a)
                    err2 += d * d
                    ref2 += Double(a) * Double(a)
                    maxAbs = max(maxAbs, abs(d))
                    if a.bitPattern != b.bitPattern { identical = false }
                }
                if i + 1 < tokens.count, tokens[i + 1] >= 0, tokens[i + 1] < pr.count {
                    let next = tokens[i + 1]
                    dp2 += (pc[next] - pr[next]) * (pc[next] - pr[next])
                    nllRef -= lr[next]
                    nllCand -= lc[next]
                    scored += 1
                    if keepsPositions {
                        scores.append(PositionScore(kld: max(0, kld), referenceTop: topR, candidateTop: topC, target: next,
                                                    referenceLogProb: lr[next], candidateLogProb: lc[next]))
                    }
                } else if keepsPositions {
                    scores.append(PositionScore(kld: max(0, kld), referenceTop: topR, candidateTop: topC, target: nil,
                                                referenceLogProb: nil, candidateLogProb: nil))
                }
            }
        }

        public var result: LogitComparison {
            var c = LogitComparison()
            c.positions = klds.count
            guard !klds.isEmpty else { return c }
            let sorted = klds.sorted()
            c.meanKLD = klds.reduce(0, +) / Double(klds.count)
            c.medianKLD = sorted[sorted.count / 2]
            c.p99KLD = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
            c.maxKLD = sorted[sorted.count - 1]
            c.sameTop1 = Double(same) / Double(klds.count)
            c.logitNMSE = ref2 > 0 ? err2 / ref2 : 0
            c.maxAbsLogitDelta = maxAbs
            c.identical = identical
            if scored > 0 {
                c.rmsDeltaP = (dp2 / Double(scored)).squareRoot()
                c.referencePPL = exp(nllRef / Double(scored))
                c.candidatePPL = exp(nllCand / Double(scored))
            }
            return c
        }

        /// Probabilities and log-probabilities, computed stably in f64.
        static func logSoftmax(_ v: ArraySlice<Float>) -> ([Double], [Double]) {
            let m = Double(v.max() ?? 0)
            var sum = 0.0
            for x in v { sum += exp(Double(x) - m) }
            let logZ = m + log(sum)
            let logs = v.map { Double($0) - logZ }
            return (logs.map { exp($0) }, logs)
        }
    }
}


func log10Value(_ v: Double) -> Double { log10(v) }
