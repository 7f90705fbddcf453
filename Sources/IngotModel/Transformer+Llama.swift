
extension Transformer {
    /// x += o_proj(attention(rope(q), rope(k), v)) on RMSNorm(x); x += down(silu(gate) ⊙ up) on RMSNorm(x).
    func llamaLayer(_ l: LlamaLayer, index: Int, tokens t: Int, start: Int, rope: RotaryEmbedding) throws {
        let c = config, h = c.hiddenSize, f = c.ffnSize
        let qw = c.numHeads * c.headDim, kvw = c.numKVHeads * c.headDim, half = c.headDim / 2
        let eps = Float(c.normEps)
        let x = ws.x.pointer, xn = ws.xn.pointer, q = ws.q.pointer
        // New keys and values go straight into the cache rows of their positions.
        let keys = cache.keys[index].pointer, values = cache.values[index].pointer
        let k = keys + start * kvw, v = values + start * kvw

        Norms.rms(x, into: xn, rows: t, width: h, weight: l.inputNorm, eps: eps)
        try linear(l.q, input: xn, rows: t, inWidth: h, outWidth: qw, into: q, ldc: qw, bias: l.qBias)
        try linear(l.k, input: xn, rows: t, inWidth: h, outWidth: kvw, into: k, ldc: kvw, bias: l.kBias)
        try linear(l.v, input: xn, rows: t, inWidth: h, outWidth: kvw, into: v, ldc: kvw, bias: l.vBias)
        for r in 0..<t {
            let cs = ws.cos.pointer + r * half, sn = ws.sin.pointer + r * half
            rope.rotate(q + r * qw, heads: c.numHeads, cos: cs, sin: sn)
            rope.rotate(k + r * kvw, heads: c.numKVHeads, cos: cs, sin: sn)
        }
        attention.run(q: q, ldq: qw, keys: keys, values: values, ldkv: kvw, out: ws.attn.pointer, ldo: qw, tokens: t,
                      start: start, scores: ws.scores.pointer,
                      threads: threads)
        try linear(l.o, input: ws.attn.pointer, rows: t, inWidth: qw, outWidth: h, into: ws.out.pointer, ldc: h, bias: l.oBias)
        addResidual(tokens: t)

        Norms.rms(x, into: xn, rows: t, width: h, weight: l.postNorm, eps: eps)
        let gate = ws.ffn1.pointer, up = ws.ffn2.pointer
        try linear(l.gate, input: xn, rows: t, inWidth: h, outWidth: f, into: gate, ldc: f, bias: l.gateBias)
        try linear(l.up, input: xn, rows: t, inWidth: h, outWidth: f, into: up, ldc: f, bias: l.upBias)
        c.activation.applyGated(UnsafeMutableBufferPointer(start: gate, count: t * f),
                                up: UnsafeBufferPointer(start: up, count: t * f),
                                // The products run on the same pool (OpenBLAS's own threads stay idle), so no thread
                                // spins beside these.
                                threads: threads)
        try linear(l.down, input: gate, rows: t, inWidth: f, outWidth: h, into: ws.out.pointer, ldc: h, bias: l.downBias)
        addResidual(tokens: t)
    }
}
