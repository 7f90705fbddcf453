
/// Row-wise normalizations over [rows, width]. Sums accumulate in double: the reference accumulates f32 in a
/// blocked order, and a double sum sits closer to the exact value than any f32 order does.
enum Norms {
    /// RMSNorm as transformers' LlamaRMSNorm: w ⊙ (x · 1/√(mean(x²) + eps)), the scale rounded to f32 first.
    static func rms(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int, width: Int,
                    weight w: UnsafePointer<Float>, eps: Float) {
        for r in 0..<rows {
            let xr = x + r * width, yr = y + r * width
            var ss = 0.0
            for j in 0..<width { let v = Double(xr[j]); ss += v * v }
            let variance = Float(ss / Double(width))
            let inv = Float(1 / Double(variance + eps).squareRoot())
            for j in 0..<width { yr[j] = w[j] * (xr[j] * inv) }
        }
    }

    /// LayerNorm with bias: (x − mean) / √(var + eps) ⊙ w + b, var the biased (1/n) variance.
    static func layer(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int, width: Int,
                      weight w: UnsafePointer<Float>, bias b: UnsafePointer<Float>, eps: Float) {
        for r in 0..<rows {
            let xr = x + r * width, yr = y + r * width
            var s = 0.0
            for j in 0..<width { s += Double(xr[j]) }
            let mean = s / Double(width)
            var ss = 0.0
            for j in 0..<width { let d = Double(xr[j]) - mean; ss += d * d }
            let rstd = 1 / (ss / Double(width) + Double(eps)).squareRoot()
            for j in 0..<width { yr[j] = Float((Double(xr[j]) - mean) * rstd) * w[j] + b[j] }
        }
    }
}
