import IngotFormat

/// BERT-style encoders (BERT, all-MiniLM, sentence-transformers models built on BertModel): word + position +
/// token-type embeddings and a LayerNorm, post-LayerNorm blocks with bidirectional attention and an exact (erf) GELU
/// MLP, and an optional pooler (dense + tanh over the [CLS] state). Canonical names are `BertModel`'s; task models
/// (`BertForMaskedLM`, …) prefix them with `bert.`, which import strips.
public struct BertFamily: ModelFamily {
    public init() {}
    public var name: String { "bert" }
    public var modelTypes: [String] { ["bert"] }
    public var layout: ModelLayout { .bert }
    public var defaults: ConfigDefaults { ConfigDefaults(activation: .gelu, tiedEmbeddings: false, attentionBias: true) }

    public func config(fromHF hf: JSONObject) throws(ModelConfigError) -> ModelConfig {
        let h = HFConfigReader(hf), r = h.r
        // Relative position schemes (`relative_key`, …) add learned distance embeddings this pass does not have.
        if let p = try r.string("position_embedding_type"), p != "absolute" {
            throw .unsupported(key: r.key("position_embedding_type"), value: "\"\(p)\"")
        }
        let hidden = try r.positive("hidden_size"), heads = try r.positive("num_attention_heads")
        return try ModelConfig(
            family: name, layout: .bert,
            vocabSize: r.positive("vocab_size"), hiddenSize: hidden, numLayers: r.positive("num_hidden_layers"),
            numHeads: heads, numKVHeads: heads, headDim: hidden % heads == 0 ? hidden / heads : 0,
            ffnSize: r.positive("intermediate_size"), maxPositions: r.positive("max_position_embeddings"),
            normEps: r.double("layer_norm_eps") ?? 1e-12, activation: h.activation("hidden_act", default: .gelu),
            tiedEmbeddings: false, attentionBias: true, typeVocabSize: r.positive("type_vocab_size", default: 2),
            bosTokenID: h.passThrough("bos_token_id"), eosTokenID: h.passThrough("eos_token_id"),
            torchDType: h.passThrough("torch_dtype", "dtype"))
    }

    /// `bert.` (task models) is stripped; `embeddings.position_ids` is an index buffer, not a weight.
    public func canonicalName(stored: String, shape: [Int]) -> String? {
        let name = stored.hasPrefix("bert.") ? String(stored.dropFirst("bert.".count)) : stored
        return name == "embeddings.position_ids" ? nil : name
    }
}

/// Canonical tensor names of a BERT encoder.
public enum BertNames {
    public static let wordEmbedding = "embeddings.word_embeddings.weight"
    public static let positionEmbedding = "embeddings.position_embeddings.weight"
    public static let tokenTypeEmbedding = "embeddings.token_type_embeddings.weight"
    public static let embeddingNormWeight = "embeddings.LayerNorm.weight"
    public static let embeddingNormBias = "embeddings.LayerNorm.bias"
    public static let poolerWeight = "pooler.dense.weight"
    public static let poolerBias = "pooler.dense.bias"

    public struct Layer: Sendable {
        public let query, queryBias, key, keyBias, value, valueBias: String
        public let attentionOut, attentionOutBias, attentionNormWeight, attentionNormBias: String
        public let intermediate, intermediateBias, output, outputBias, outputNormWeight, outputNormBias: String
    }

    public static func layer(_ i: Int) -> Layer {
        let p = "encoder.layer.\(i)."
        return Layer(
            query: p + "attention.self.query.weight", queryBias: p + "attention.self.query.bias",
            key: p + "attention.self.key.weight", keyBias: p + "attention.self.key.bias",
            value: p + "attention.self.value.weight", valueBias: p + "attention.self.value.bias",
            attentionOut: p + "attention.output.dense.weight", attentionOutBias: p + "attention.output.dense.bias",
            attentionNormWeight: p + "attention.output.LayerNorm.weight", attentionNormBias: p + "attention.output.LayerNorm.bias",
            intermediate: p + "intermediate.dense.weight", intermediateBias: p + "intermediate.dense.bias",
            output: p + "output.dense.weight", outputBias: p + "output.dense.bias",
            outputNormWeight: p + "output.LayerNorm.weight", outputNormBias: p + "output.LayerNorm.bias")
    }
}
