
extension Transformer {
    /// x += c_proj(attention(split(c_attn(LN₁(x))))); x += c_proj(gelu(c_fc(LN₂(x)))).
    func gpt2Layer(_ l: GPT2Layer, index: Int, tokens t: Int, start: Int) throws {
        let c = config, h = c.hiddenSize, f = c.ffnSize
        let eps = Float(c.normEps)
        let x = ws.x.pointer, xn = ws.xn.pointer, qkv = ws.q.pointer
        let keys = cache.keys[index].pointer, values = cache.values[index].pointer

        Norms.layer(x, into: xn, rows: t, width: h, weight: l.ln1Weight, bias: l.ln1Bias, eps: eps)
        try conv1D(l.attn, input: xn, rows: t, inWidth: h, outWidth: 3 * h, into: qkv, ldc: 3 * h, bias: l.attnBias)
        // c_attn's output is q | k | v, each hidden wide; k and v move into the cache, q is read in place.
        for r in 0..<t {
            (keys + (start + r) * h).update(from: qkv + r * 3 * h + h, count: h)
            (values + (start + r) * h).update(from: qkv + r * 3 * h + 2 * h, count: h)
        }
        attention.run(q: qkv, ldq: 3 * h, keys: keys, values: values, ldkv: h, out: ws.attn.pointer, ldo: h, tokens: t,
                      start: start, scores: ws.scores.pointer,
                      threads: threads)
        try conv1D(l.attnProj, input: ws.attn.pointer, rows: t, inWidth: h, outWidth: h, into: ws.out.pointer, ldc: h,
                   bias: l.attnProjBias)
        addResidual(tokens: t)

        Norms.layer(x, into: xn, rows: t, width: h, weight: l.ln2Weight, bias: l.ln2Bias, eps: eps)
        let hidden = ws.ffn1.pointer
        try conv1D(l.fc, input: xn, rows: t, inWidth: h, outWidth: f, into: hidden, ldc: f, bias: l.fcBias)
        c.activation.apply(UnsafeMutableBufferPointer(start: hidden, count: t * f))
        try conv1D(l.mlpProj, input: hidden, rows: t, inWidth: f, outWidth: h, into: ws.out.pointer, ldc: h,
                   bias: l.mlpProjBias)
        addResidual(tokens: t)
    }
}
