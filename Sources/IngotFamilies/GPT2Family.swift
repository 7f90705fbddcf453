import IngotFormat

/// GPT-2: pre-LayerNorm decoder with learned positions, Conv1D weights stored [in, out], a fused q|k|v projection
/// and a head tied to the token embedding. No GGUF mapping: llama.cpp's gpt2 tensors are transposed and renamed.
public struct GPT2Family: ModelFamily {
    public init() {}
    public var name: String { "gpt2" }
    public var modelTypes: [String] { ["gpt2"] }
    public var layout: ModelLayout { .gpt2 }
    public var defaults: ConfigDefaults {
        ConfigDefaults(activation: .geluTanh, ffnMultiple: 4, tiedEmbeddings: true, attentionBias: true)
    }

    public func config(fromHF hf: JSONObject) throws(ModelConfigError) -> ModelConfig {
        let h = HFConfigReader(hf), r = h.r
        let hidden = try r.positive("n_embd"), heads = try r.positive("n_head")
        return try ModelConfig(
            family: name, layout: .gpt2,
            vocabSize: r.positive("vocab_size"), hiddenSize: hidden, numLayers: r.positive("n_layer"),
            numHeads: heads, numKVHeads: heads, headDim: hidden % heads == 0 ? hidden / heads : 0,
            ffnSize: r.positive("n_inner", default: 4 * hidden), maxPositions: r.positive("n_positions"),
            normEps: r.double("layer_norm_epsilon") ?? 1e-5, activation: h.activation("activation_function", default: .geluTanh),
            tiedEmbeddings: true, attentionBias: true,
            bosTokenID: h.passThrough("bos_token_id"), eosTokenID: h.passThrough("eos_token_id"),
            torchDType: h.passThrough("torch_dtype", "dtype"))
    }

    /// Older checkpoints name tensors `h.0.…` / `wte.weight` without the `transformer.` prefix (or with `model.`), and
    /// carry the causal-mask buffers `attn.bias` (4-D) / `attn.masked_bias`, which are not weights.
    public func canonicalName(stored: String, shape: [Int]) -> String? {
        if stored.hasSuffix(".attn.bias") && shape.count == 4 || stored.hasSuffix(".attn.masked_bias") { return nil }
        var name = stored
        if name.hasPrefix("model.") { name = String(name.dropFirst("model.".count)) }
        if !name.hasPrefix("transformer.") && name != "lm_head.weight" { name = "transformer." + name }
        return name
    }
}

/// Canonical tensor names of GPT-2.
public enum GPT2Names {
    public static let tokenEmbedding = "transformer.wte.weight"
    public static let positionEmbedding = "transformer.wpe.weight"
    public static let finalNormWeight = "transformer.ln_f.weight"
    public static let finalNormBias = "transformer.ln_f.bias"

    public struct Layer: Sendable {
        public let ln1Weight, ln1Bias, attn, attnBias, attnProj, attnProjBias: String
        public let ln2Weight, ln2Bias, fc, fcBias, mlpProj, mlpProjBias: String
    }

    public static func layer(_ i: Int) -> Layer {
        let p = "transformer.h.\(i)."
        return Layer(ln1Weight: p + "ln_1.weight", ln1Bias: p + "ln_1.bias", attn: p + "attn.c_attn.weight",
                     attnBias: p + "attn.c_attn.bias", attnProj: p + "attn.c_proj.weight", attnProjBias: p + "attn.c_proj.bias",
                     ln2Weight: p + "ln_2.weight", ln2Bias: p + "ln_2.bias", fc: p + "mlp.c_fc.weight", fcBias: p + "mlp.c_fc.bias",
                     mlpProj: p + "mlp.c_proj.weight", mlpProjBias: p + "mlp.c_proj.bias")
    }
}
