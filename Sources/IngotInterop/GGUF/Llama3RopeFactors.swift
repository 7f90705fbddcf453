import IngotFormat
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// llama-3 rope scaling as llama.cpp stores it: `rope_freqs.weight`, one divisor per rotary frequency
/// (`LlamaModel.generate_extra_tensors` in convert_hf_to_gguf.py), computed from a config's `rope_scaling`, and the
/// inverse: the `rope_scaling` parameters of a GGUF file's factors.
///
/// The converter computes in float32 torch tensors, so this does too, operation by operation: `2π / freq` and
/// `old / wavelen` are torch's `__rtruediv__` (a reciprocal, then a product), comparisons with Python floats round
/// the float to f32 first, and the list is stored as f32. The one operation that is not correctly rounded
/// everywhere is `base ** x` (torch uses SLEEF's powf, this uses libm's): both are within one ulp, so a factor may
/// differ from a given torch build's in its last bit — which is why inverting also keeps the file's exact factors
/// whenever recomputing does not give them back bit for bit.
public struct Llama3RopeFactors: Sendable, Equatable {
    public var factor: Double
    public var lowFreqFactor: Double
    public var highFreqFactor: Double
    public var originalMaxPositions: Int

    public init(factor: Double, lowFreqFactor: Double, highFreqFactor: Double, originalMaxPositions: Int) {
        self.factor = factor
        self.lowFreqFactor = lowFreqFactor
        self.highFreqFactor = highFreqFactor
        self.originalMaxPositions = originalMaxPositions
    }

    /// The `rope_scaling` object transformers writes for these parameters.
    public var json: JSONObject {
        JSONObject([
            ("rope_type", .string("llama3")), ("factor", .double(factor)), ("low_freq_factor", .double(lowFreqFactor)),
            ("high_freq_factor", .double(highFreqFactor)),
            ("original_max_position_embeddings", .int(Int64(originalMaxPositions))),
        ])
    }

    /// Parameters from a `rope_scaling` / `rope_parameters` object whose `rope_type` (or legacy `type`) is llama3;
    /// nil for any other type. Missing factors take the converter's defaults (8, 1, 4); a missing original context
    /// is an error (the converter's fallback of 8192 is a known bug, see fixtures/README.md).
    static func parse(_ o: JSONObject, key: String) throws(GGUFCanonicalError) -> Llama3RopeFactors? {
        guard (o["rope_type"]?.stringValue ?? o["type"]?.stringValue)?.lowercased() == "llama3" else { return nil }
        func num(_ k: String, _ d: Double) throws(GGUFCanonicalError) -> Double {
            guard let v = o[k], v != .null else { return d }
            guard let x = v.doubleValue, x.isFinite else { throw .badValue(key: "\(key).\(k)", reason: "not a finite number") }
            return x
        }
        let p = Llama3RopeFactors(
            factor: try num("factor", 8), lowFreqFactor: try num("low_freq_factor", 1),
            highFreqFactor: try num("high_freq_factor", 4), originalMaxPositions: 0)
        guard let orig = o["original_max_position_embeddings"]?.intValue else {
            throw .missingKey("\(key).original_max_position_embeddings")
        }
        guard orig > 0, orig <= Int64(Int32.max) else {
            throw .badValue(key: "\(key).original_max_position_embeddings", reason: "must be a positive 32-bit integer")
        }
        // The smoothing divides by high − low: the bands are only ordered when high > low > 0 (as IngotModel requires).
        guard p.factor > 0, p.lowFreqFactor > 0, p.highFreqFactor > p.lowFreqFactor else {
            throw .badValue(key: key, reason: "needs factor > 0 and high_freq_factor > low_freq_factor > 0")
        }
        var out = p
        out.originalMaxPositions = Int(orig)
        return out
    }

    /// The f32 factors for `headDim` (ceil(headDim / 2) of them) at rope base `theta`.
    public func factors(theta: Double, headDim: Int) -> [Float] {
        let wavelengths = Self.wavelengths(theta: theta, headDim: headDim)
        let old = Double(originalMaxPositions)
        // Python floats compared with an f32 tensor are rounded to f32 first.
        let lowWavelength = Float(old / lowFreqFactor), highWavelength = Float(old / highFreqFactor)
        let f = Float(factor), lo = Float(lowFreqFactor), span = Float(highFreqFactor - lowFreqFactor)
        return wavelengths.map { wl -> Float in
            if wl < highWavelength { return 1 }
            if wl > lowWavelength { return f }
            let smooth = ((1 / wl) * Float(old) - lo) / span
            let denominator = (1 - smooth) / f + smooth
            return 1 / denominator
        }
    }

    /// `2π / freq` for each rotary frequency `1 / base^(2i / dim)`, in torch's f32 operations.
    static func wavelengths(theta: Double, headDim: Int) -> [Float] {
        guard headDim > 0 else { return [] }
        let base = Float(theta), dim = Float(headDim), twoPi = Float(2 * Double.pi)
        return stride(from: 0, to: headDim, by: 2).map { i -> Float in
            let freq = 1 / powf(base, Float(i) / dim)
            return (1 / freq) * twoPi
        }
    }

    /// How well parameters recovered from stored factors reproduce them.
    public enum Inversion: Sendable, Equatable {
        /// Recomputing gives the stored factors bit for bit.
        case exact(Llama3RopeFactors)
        /// Within a few ulps (a different powf): the parameters describe the model, the stored bits are kept too.
        case approximate(Llama3RopeFactors)
        /// No llama-3 parameters reproduce them.
        case none
    }

    /// Recovers parameters that reproduce `stored` (a GGUF file's `rope_freqs.weight`).
    ///
    /// The factors only fix the scaling up to a common scale of (original context, low, high) — any choice that
    /// reproduces them gives the same rotary frequencies, which is all transformers and llama.cpp use — so
    /// low_freq_factor is taken as 1 (every llama-3 release) and high_freq_factor as 4 unless two or more smoothed
    /// factors determine it. Candidates are verified by recomputing; `contextLength` seeds the trivial all-ones case.
    public static func invert(_ stored: [Float], theta: Double, headDim: Int, contextLength: Int?) -> Inversion {
        // Real head sizes are at most a few hundred; the cap bounds the work a hostile file can ask for.
        guard !stored.isEmpty, stored.count <= 4096, headDim > 0, headDim % 2 == 0, stored.count == headDim / 2,
            theta.isFinite, theta > 0,
            stored.allSatisfy({ $0.isFinite && $0 >= 1 }), zip(stored, stored.dropFirst()).allSatisfy({ $0 <= $1 }),
            let last = stored.last
        else { return .none }
        let wl = wavelengths(theta: theta, headDim: headDim)
        var candidates: [Llama3RopeFactors] = []
        if last == 1 {
            candidates.append(.init(factor: 1, lowFreqFactor: 1, highFreqFactor: 4,
                                    originalMaxPositions: max(1, min(contextLength ?? 8192, Int(Int32.max)))))
        } else {
            let F = Double(last)
            let ones = stored.prefix(while: { $0 == 1 }).count
            let tailStart = (stored.lastIndex(where: { $0 != last }) ?? -1) + 1
            guard ones <= tailStart else { return .none }
            // smooth_i from a smoothed factor f: 1/f = (1 - s)/F + s.
            let middle = Array(ones..<tailStart)
            let s: [Double] = middle.map { (1 / Double(stored[$0]) - 1 / F) / (1 - 1 / F) }
            var origins: [Double] = [], highs: [Double] = [4]
            if let i = middle.first, let si = s.first {
                // One smoothed factor fixes old for a given high; llama-3's high is 4.
                origins.append(Double(wl[i]) * (1 + 3 * si))
            }
            if middle.count >= 2, let a = middle.first, let b = middle.last, let sa = s.first, let sb = s.last {
                // With low = 1: s·(high − 1) = old/wl − 1 for each smoothed factor; two of them give old and high.
                let ia = 1 / Double(wl[a]), ib = 1 / Double(wl[b])
                let det = -ia * sb + ib * sa
                if det != 0, det.isFinite {
                    let old = (-sb + sa) / det, v = (ia - ib) / det
                    if old.isFinite, v.isFinite, v > 0 {
                        origins.append(old)
                        let high = 1 + v
                        highs += [high.rounded(), (high * 2).rounded() / 2, (high * 4).rounded() / 4, high]
                    }
                }
            } else if middle.isEmpty {
                // No smoothed factor: any old with every 1 below old/4 and every F above old works; prefer the
                // largest power of two (8192 for every llama-3 release).
                let lower = ones > 0 ? 4 * Double(wl[ones - 1]) : 1, upper = Double(wl[tailStart])
                var p = 1.0
                while p * 2 < upper, p < 1e9 { p *= 2 }
                origins.append(p > lower ? p : (lower + upper) / 2)
            }
            for old in origins where old.isFinite && old >= 0.5 && old < Double(Int32.max) {
                let n = Int(old.rounded())
                for o in [n, n - 1, n + 1] where o > 0 {
                    for h in highs where h.isFinite && h > 1 {
                        candidates.append(.init(factor: F, lowFreqFactor: 1, highFreqFactor: h, originalMaxPositions: o))
                    }
                }
            }
        }
        var best: (Llama3RopeFactors, Float)? = nil
        for c in candidates {
            let got = c.factors(theta: theta, headDim: headDim)
            guard got.count == stored.count else { continue }
            if zip(got, stored).allSatisfy({ $0.bitPattern == $1.bitPattern }) { return .exact(c) }
            let err = zip(got, stored).map { abs($0 - $1) / $1 }.max() ?? .infinity
            if err.isFinite, err < (best?.1 ?? .infinity) { best = (c, err) }
        }
        if let (c, err) = best, err <= 1e-6 { return .approximate(c) }
        return .none
    }
}
