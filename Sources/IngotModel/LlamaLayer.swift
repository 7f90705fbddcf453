/// One llama/qwen2 decoder layer: its matrix names (fetched from the provider at each use) and its small vectors
/// (norm weights, biases), which are read once at load time because a decoding step would otherwise re-read them
/// every token.
struct LlamaLayer {
    let q, k, v, o, gate, up, down: String
    let inputNorm: [Float]
    let postNorm: [Float]
    let qBias, kBias, vBias: [Float]?
    /// Not in llama/qwen2 checkpoints as published, but applied when present (llama with `attention_bias` or
    /// `mlp_bias`) rather than silently ignored.
    let oBias, gateBias, upBias, downBias: [Float]?

    init(index i: Int, config c: ModelConfig, loader: WeightLoader) throws {
        let p = "model.layers.\(i)."
        let h = c.hiddenSize, qw = c.numHeads * c.headDim, kvw = c.numKVHeads * c.headDim, f = c.ffnSize
        q = p + "self_attn.q_proj.weight"
        k = p + "self_attn.k_proj.weight"
        v = p + "self_attn.v_proj.weight"
        o = p + "self_attn.o_proj.weight"
        gate = p + "mlp.gate_proj.weight"
        up = p + "mlp.up_proj.weight"
        down = p + "mlp.down_proj.weight"
        try loader.expect(q, [qw, h])
        try loader.expect(k, [kvw, h])
        try loader.expect(v, [kvw, h])
        try loader.expect(o, [h, qw])
        try loader.expect(gate, [f, h])
        try loader.expect(up, [f, h])
        try loader.expect(down, [h, f])
        inputNorm = try loader.vector(p + "input_layernorm.weight", h)
        postNorm = try loader.vector(p + "post_attention_layernorm.weight", h)
        if c.attentionBias {
            qBias = try loader.vector(p + "self_attn.q_proj.bias", qw)
            kBias = try loader.vector(p + "self_attn.k_proj.bias", kvw)
            vBias = try loader.vector(p + "self_attn.v_proj.bias", kvw)
        } else {
            qBias = try loader.optionalVector(p + "self_attn.q_proj.bias", qw)
            kBias = try loader.optionalVector(p + "self_attn.k_proj.bias", kvw)
            vBias = try loader.optionalVector(p + "self_attn.v_proj.bias", kvw)
        }
        oBias = try loader.optionalVector(p + "self_attn.o_proj.bias", h)
        gateBias = try loader.optionalVector(p + "mlp.gate_proj.bias", f)
        upBias = try loader.optionalVector(p + "mlp.up_proj.bias", f)
        downBias = try loader.optionalVector(p + "mlp.down_proj.bias", h)
    }
}
