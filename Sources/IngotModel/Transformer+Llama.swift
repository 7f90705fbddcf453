
extension Transformer {
    /// x += o_proj(attention(rope(q), rope(k), v)) on RMSNorm(x); x += down(silu(gate) ⊙ up) on RMSNorm(x).
    /// Keys and values are computed for all `t` rows (the cache needs them); everything else only for rows
    /// `outputsFrom ..< t` — the last layer's rows whose logits are wanted (earlier rows of x are left stale).
    func llamaLayer(_ l: LlamaLayer, index: Int, tokens t: Int, start: Int, rope: RotaryEmbedding, outputsFrom f: Int = 0) throws {
        let c = config, h = c.hiddenSize, ffn = c.ffnSize
        let qw = c.numHeads * c.headDim, kvw = c.numKVHeads * c.headDim, half = c.headDim / 2
        let eps = Float(c.normEps)
        let x = ws.x.pointer, xn = ws.xn.pointer, q = ws.q.pointer
        // New keys and values go straight into the cache rows of their positions.
        let keys = cache.keys[index].pointer, values = cache.values[index].pointer
        let k = keys + start * kvw, v = values + start * kvw
        let n = t - f  // rows whose outputs are computed

        Norms.rms(x, into: xn, rows: t, width: h, weight: l.inputNorm, eps: eps)
        try linear(l.q, input: xn + f * h, rows: n, inWidth: h, outWidth: qw, into: q + f * qw, ldc: qw, bias: l.qBias)
        try linear(l.k, input: xn, rows: t, inWidth: h, outWidth: kvw, into: k, ldc: kvw, bias: l.kBias)
        try linear(l.v, input: xn, rows: t, inWidth: h, outWidth: kvw, into: v, ldc: kvw, bias: l.vBias)
        for r in 0..<t {
            let cs = ws.cos.pointer + r * half, sn = ws.sin.pointer + r * half
            if r >= f { rope.rotate(q + r * qw, heads: c.numHeads, cos: cs, sin: sn) }
            rope.rotate(k + r * kvw, heads: c.numKVHeads, cos: cs, sin: sn)
        }
        attention.run(q: q + f * qw, ldq: qw, keys: keys, values: values, ldkv: kvw, out: ws.attn.pointer + f * qw, ldo: qw,
                      tokens: n, start: start + f, scores: ws.scores.pointer, threads: threads)
        try linear(l.o, input: ws.attn.pointer + f * qw, rows: n, inWidth: qw, outWidth: h, into: ws.out.pointer + f * h, ldc: h,
                   bias: l.oBias)
        addResidual(tokens: t, from: f)

        Norms.rms(x + f * h, into: xn + f * h, rows: n, width: h, weight: l.postNorm, eps: eps)
        let gate = ws.ffn1.pointer, up = ws.ffn2.pointer
        try linear(l.gate, input: xn + f * h, rows: n, inWidth: h, outWidth: ffn, into: gate, ldc: ffn, bias: l.gateBias)
        try linear(l.up, input: xn + f * h, rows: n, inWidth: h, outWidth: ffn, into: up, ldc: ffn, bias: l.upBias)
        c.activation.applyGated(UnsafeMutableBufferPointer(start: gate, count: n * ffn),
                                up: UnsafeBufferPointer(start: up, count: n * ffn),
                                // The products run on the same pool (OpenBLAS's own threads stay idle), so no thread
                                // spins beside these.
                                threads: threads)
        try linear(l.down, input: gate, rows: n, inWidth: ffn, outWidth: h, into: ws.out.pointer + f * h, ldc: h, bias: l.downBias)
        addResidual(tokens: t, from: f)
    }
}
