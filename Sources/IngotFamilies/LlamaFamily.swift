import IngotFormat

/// Llama-layout decoders (llama, mistral, smollm): RMSNorm, rotary positions, SwiGLU MLP, grouped-query attention.
/// llama.cpp's converter permutes q/k rows per head for this family (specs/canonical.md §3).
public struct LlamaFamily: ModelFamily {
    public init() {}
    public var name: String { "llama" }
    public var modelTypes: [String] { ["llama", "mistral", "smollm", "smollm2"] }
    public var layout: ModelLayout { .llama }
    public var defaults: ConfigDefaults { ConfigDefaults(activation: .silu, tiedEmbeddings: false, attentionBias: false) }

    public func config(fromHF hf: JSONObject) throws(ModelConfigError) -> ModelConfig {
        try Self.decoderConfig(hf, family: name, attentionBias: nil)
    }

    /// The config of any llama-layout config.json; `attentionBias` forces the biases (qwen2) instead of reading
    /// `attention_bias`.
    static func decoderConfig(_ hf: JSONObject, family: String, attentionBias: Bool?) throws(ModelConfigError) -> ModelConfig {
        let h = HFConfigReader(hf), r = h.r
        let hidden = try r.positive("hidden_size"), heads = try r.positive("num_attention_heads")
        let (theta, scaling) = try h.rope()
        let bias = try r.bool("attention_bias")
        return try ModelConfig(
            family: family, layout: .llama,
            vocabSize: r.positive("vocab_size"), hiddenSize: hidden, numLayers: r.positive("num_hidden_layers"),
            numHeads: heads, numKVHeads: r.positive("num_key_value_heads", default: heads),
            headDim: r.positive("head_dim", default: hidden % heads == 0 ? hidden / heads : nil),
            ffnSize: r.positive("intermediate_size"), maxPositions: r.positive("max_position_embeddings"),
            normEps: r.double("rms_norm_eps") ?? 1e-6, activation: h.activation("hidden_act", default: .silu),
            ropeTheta: theta, ropeScaling: scaling, tiedEmbeddings: r.bool("tie_word_embeddings") ?? false,
            attentionBias: attentionBias ?? bias ?? false,
            bosTokenID: h.passThrough("bos_token_id"), eosTokenID: h.passThrough("eos_token_id"),
            torchDType: h.passThrough("torch_dtype", "dtype"))
    }

    public var gguf: GGUFNames? { LlamaNames.gguf(permutesQK: true) }
}

/// Canonical tensor names of the llama layout (llama and qwen2), the forward pass's and GGUF's.
public enum LlamaNames {
    public static let embedding = "model.embed_tokens.weight"
    public static let finalNorm = "model.norm.weight"
    public static let head = "lm_head.weight"
    public static let layerPrefix = "model.layers."

    /// One decoder layer's tensors. Biases are optional: qwen2 has q/k/v biases, llama may have any.
    public struct Layer: Sendable {
        public let q, k, v, o, gate, up, down, inputNorm, postNorm: String
        public let qBias, kBias, vBias, oBias, gateBias, upBias, downBias: String
    }

    public static func layer(_ i: Int) -> Layer {
        let p = layerPrefix + "\(i)."
        return Layer(q: p + "self_attn.q_proj.weight", k: p + "self_attn.k_proj.weight", v: p + "self_attn.v_proj.weight",
                     o: p + "self_attn.o_proj.weight", gate: p + "mlp.gate_proj.weight", up: p + "mlp.up_proj.weight",
                     down: p + "mlp.down_proj.weight", inputNorm: p + "input_layernorm.weight",
                     postNorm: p + "post_attention_layernorm.weight", qBias: p + "self_attn.q_proj.bias",
                     kBias: p + "self_attn.k_proj.bias", vBias: p + "self_attn.v_proj.bias", oBias: p + "self_attn.o_proj.bias",
                     gateBias: p + "mlp.gate_proj.bias", upBias: p + "mlp.up_proj.bias", downBias: p + "mlp.down_proj.bias")
    }

    /// llama.cpp's names for LLAMA and QWEN2 (`gguf.get_tensor_name_map`).
    static func gguf(permutesQK: Bool) -> GGUFNames {
        GGUFNames(
            global: [(embedding, "token_embd.weight"), (finalNorm, "output_norm.weight"), (head, "output.weight")],
            layer: [
                ("input_layernorm.weight", "attn_norm.weight", nil),
                ("self_attn.q_proj.weight", "attn_q.weight", .q), ("self_attn.q_proj.bias", "attn_q.bias", .q),
                ("self_attn.k_proj.weight", "attn_k.weight", .k), ("self_attn.k_proj.bias", "attn_k.bias", .k),
                ("self_attn.v_proj.weight", "attn_v.weight", nil), ("self_attn.v_proj.bias", "attn_v.bias", nil),
                ("self_attn.o_proj.weight", "attn_output.weight", nil), ("self_attn.o_proj.bias", "attn_output.bias", nil),
                ("post_attention_layernorm.weight", "ffn_norm.weight", nil),
                ("mlp.gate_proj.weight", "ffn_gate.weight", nil), ("mlp.gate_proj.bias", "ffn_gate.bias", nil),
                ("mlp.up_proj.weight", "ffn_up.weight", nil), ("mlp.up_proj.bias", "ffn_up.bias", nil),
                ("mlp.down_proj.weight", "ffn_down.weight", nil), ("mlp.down_proj.bias", "ffn_down.bias", nil),
            ],
            canonicalLayerPrefix: layerPrefix, permutesQK: permutesQK, keys: .llamaLayout)
    }
}
