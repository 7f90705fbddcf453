import IngotModel
#if canImport(Glibc)
import Glibc
#endif

/// How the next token is chosen from logits. Temperature 0 (the default) is greedy: the highest logit, the first
/// one on a tie, as transformers' `argmax` (`Logits.argmax`).
///
/// Otherwise, in llama.cpp's order: the repeat penalty on the last `repeatLastN` tokens (a positive logit divided
/// by it, a negative one multiplied), top-k, then softmax at `temperature`, top-p (the smallest set of most likely
/// tokens whose probability reaches p), min-p (tokens below p × the top probability dropped), and a draw from what
/// remains, renormalized. Draws come from xoshiro256** seeded by `seed`, so a seed reproduces a run exactly on
/// every machine.
public struct SamplingOptions: Sendable, Equatable {
    public var temperature: Double = 0
    /// 0 keeps every token.
    public var topK: Int = 0
    public var topP: Double = 1
    public var minP: Double = 0
    public var repeatPenalty: Double = 1
    public var repeatLastN: Int = 64
    public var seed: UInt64 = 0

    public init(temperature: Double = 0, topK: Int = 0, topP: Double = 1, minP: Double = 0, repeatPenalty: Double = 1,
                repeatLastN: Int = 64, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repeatPenalty = repeatPenalty
        self.repeatLastN = repeatLastN
        self.seed = seed
    }

    public var isGreedy: Bool { temperature == 0 }

    /// The first option out of range, described for an error line; nil when all are usable.
    public var problem: String? {
        if !temperature.isFinite || temperature < 0 { return "temperature must be ≥ 0" }
        if topK < 0 { return "top-k must be ≥ 0" }
        if !(topP > 0 && topP <= 1) { return "top-p must be in (0, 1]" }
        if !(minP >= 0 && minP < 1) { return "min-p must be in [0, 1)" }
        if !repeatPenalty.isFinite || repeatPenalty <= 0 { return "repeat penalty must be > 0" }
        if repeatLastN < 0 { return "repeat-last-n must be ≥ 0" }
        return nil
    }
}

/// Picks tokens from logits as `SamplingOptions` say; one sampler per generated sequence (it owns the random state).
public struct Sampler {
    public let options: SamplingOptions
    private var rng: Xoshiro256

    public init(_ options: SamplingOptions) {
        self.options = options
        rng = Xoshiro256(seed: options.seed)
    }

    /// The next token after `history` (prompt and generated ids so far).
    public mutating func next(_ logits: [Float], history: [Int]) -> Int {
        let o = options
        var l = logits
        if o.repeatPenalty != 1, o.repeatLastN > 0 {
            let p = Float(o.repeatPenalty)
            for t in Set(history.suffix(o.repeatLastN)) where t >= 0 && t < l.count {
                l[t] = l[t] > 0 ? l[t] / p : l[t] * p
            }
        }
        if o.isGreedy { return Logits.argmax(l[...]) }

        // Candidates sorted by logit, descending (index order on ties, so the order is deterministic).
        var candidates = l.indices.filter { !l[$0].isNaN }
        candidates.sort { l[$0] != l[$1] ? l[$0] > l[$1] : $0 < $1 }
        guard let top = candidates.first else { return 0 }
        if o.topK > 0, candidates.count > o.topK { candidates.removeSubrange(o.topK...) }
        // Softmax at the temperature, in f64.
        let t = o.temperature, m = Double(l[top])
        var probs = candidates.map { exp((Double(l[$0]) - m) / t) }
        var total = probs.reduce(0, +)
        for i in probs.indices { probs[i] /= total }
        if o.topP < 1 {
            var cumulative = 0.0, keep = probs.count
            for (i, p) in probs.enumerated() {
                cumulative += p
                if cumulative >= o.topP { keep = i + 1; break }
            }
            probs.removeSubrange(keep...)
        }
        if o.minP > 0, let p0 = probs.first {
            let floor = o.minP * p0
            let keep = probs.firstIndex { $0 < floor } ?? probs.count
            probs.removeSubrange(max(1, keep)...)
        }
        total = probs.reduce(0, +)
        var u = rng.uniform() * total
        for (i, p) in probs.enumerated() {
            u -= p
            if u < 0 { return candidates[i] }
        }
        return candidates[probs.count - 1]
    }
}

/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64: a small generator with the same sequence on every
/// platform, which Swift's system generator does not promise.
struct Xoshiro256 {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
