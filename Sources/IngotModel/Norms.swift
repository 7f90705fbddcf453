
/// Row-wise normalizations over [rows, width]. Sums accumulate in double: the reference accumulates f32 in a
/// blocked order, and a double sum sits closer to the exact value than any f32 order does.
enum Norms {
    /// RMSNorm as transformers' LlamaRMSNorm: w ⊙ (x · 1/√(mean(x²) + eps)), every step rounded to f32 as torch and
    /// ggml round it — x² in f32, the mean rounded to f32, √ and 1/· each in f32 — with the sum in double (ggml's
    /// order; torch's blocked f32 sum lands within an ulp of it). The f32 rounding of x² matters beyond the last
    /// bit: under `--activations q8` a norm output that sits exactly on a rounding tie of llama.cpp's 8-bit
    /// activations (SmolLM2 has such tokens) must tie-break as llama.cpp does (NMSE 7e-7 on one token otherwise).
    static func rms(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int, width: Int,
                    weight w: UnsafePointer<Float>, eps: Float) {
        for r in 0..<rows {
            let xr = x + r * width, yr = y + r * width
            var ss = 0.0
            for j in 0..<width { ss += Double(xr[j] * xr[j]) }
            let mean = Float(ss / Double(width))
            let inv = 1 / (mean + eps).squareRoot()
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
