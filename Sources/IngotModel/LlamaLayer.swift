import IngotFamilies

/// One llama/qwen2 decoder layer: its matrix names (fetched from the provider at each use, named by the family) and
/// its small vectors (norm weights, biases), which are read once at load time because a decoding step would
/// otherwise re-read them every token.
struct LlamaLayer {
    let q, k, v, o, gate, up, down: String
    let inputNorm: [Float]
    let postNorm: [Float]
    let qBias, kBias, vBias: [Float]?
    /// Not in llama/qwen2 checkpoints as published, but applied when present (llama with `attention_bias` or
    /// `mlp_bias`) rather than silently ignored.
    let oBias, gateBias, upBias, downBias: [Float]?

    init(index i: Int, config c: ModelConfig, loader: WeightLoader) throws {
        let n = LlamaNames.layer(i)
        let h = c.hiddenSize, qw = c.numHeads * c.headDim, kvw = c.numKVHeads * c.headDim, f = c.ffnSize
        (q, k, v, o, gate, up, down) = (n.q, n.k, n.v, n.o, n.gate, n.up, n.down)
        try loader.expect(q, [qw, h])
        try loader.expect(k, [kvw, h])
        try loader.expect(v, [kvw, h])
        try loader.expect(o, [h, qw])
        try loader.expect(gate, [f, h])
        try loader.expect(up, [f, h])
        try loader.expect(down, [h, f])
        inputNorm = try loader.vector(n.inputNorm, h)
        postNorm = try loader.vector(n.postNorm, h)
        if c.attentionBias {
            qBias = try loader.vector(n.qBias, qw)
            kBias = try loader.vector(n.kBias, kvw)
            vBias = try loader.vector(n.vBias, kvw)
        } else {
            qBias = try loader.optionalVector(n.qBias, qw)
            kBias = try loader.optionalVector(n.kBias, kvw)
            vBias = try loader.optionalVector(n.vBias, kvw)
        }
        oBias = try loader.optionalVector(n.oBias, h)
        gateBias = try loader.optionalVector(n.gateBias, f)
        upBias = try loader.optionalVector(n.upBias, f)
        downBias = try loader.optionalVector(n.downBias, h)
    }
}
