import IngotFamilies
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rotary position embedding in the Hugging Face layout: dimension i of a head pairs with i + head_dim/2
/// (`rotate_half`), both rotated by the angle position · inv_freq[i].
///
/// The inverse frequencies are computed in f32 the way transformers computes them (`base ** (arange(0, d, 2)/d)`
/// in f32, then the llama-3 rescale in f32), because its f32 rounding is what the reference logits saw.
struct RotaryEmbedding: Sendable {
    let headDim: Int
    let invFreq: [Float]

    init(headDim: Int, theta: Double, scaling: RopeScaling?) {
        self.headDim = headDim
        let half = headDim / 2
        let base = Float(theta)
        var inv = (0..<half).map { i -> Float in
            let exponent = Float(2 * i) / Float(headDim)
            return 1 / powf(base, exponent)
        }
        if case let .llama3(factor, lowFF, highFF, original)? = scaling {
            let f = Float(factor), low = Float(lowFF), high = Float(highFF), old = Float(original)
            let lowFreqWavelen = old / low, highFreqWavelen = old / high
            inv = inv.map { v in
                // 2π rounded to f32 from the double, as torch does for `2 * math.pi / inv_freq`; Swift's Float.pi
                // is rounded toward zero and would differ in the last bit.
                let wavelen = Float(2 * Double.pi) / v
                if wavelen < highFreqWavelen { return v }  // high frequencies: unchanged
                if wavelen > lowFreqWavelen { return v / f }  // low frequencies: interpolated by the factor
                // In between: blend the two, linear in old/wavelen.
                let smooth = (old / wavelen - low) / (high - low)
                return (1 - smooth) * v / f + smooth * v
            }
        }
        if case let .linear(factor)? = scaling {
            let f = Float(factor)
            inv = inv.map { $0 / f }
        }
        invFreq = inv
    }

    /// Fills `cos`/`sin` ([half]) for one position. The angle is rounded to f32 first, as transformers' f32 matmul
    /// of inv_freq by the position does; cos/sin are then taken in double and rounded once.
    func angles(position: Int, cos c: UnsafeMutablePointer<Float>, sin s: UnsafeMutablePointer<Float>) {
        let p = Float(position)
        for i in 0..<invFreq.count {
            let a = Double(invFreq[i] * p)
            c[i] = Float(cos(a))
            s[i] = Float(sin(a))
        }
    }

    /// Rotates `heads` consecutive heads of `x` (head_dim floats each) in place.
    func rotate(_ x: UnsafeMutablePointer<Float>, heads: Int, cos c: UnsafePointer<Float>, sin s: UnsafePointer<Float>) {
        let half = headDim / 2
        for h in 0..<heads {
            let v = x + h * headDim
            for i in 0..<half {
                let a = v[i], b = v[i + half]
                v[i] = a * c[i] - b * s[i]
                v[i + half] = b * c[i] + a * s[i]
            }
        }
    }
}
