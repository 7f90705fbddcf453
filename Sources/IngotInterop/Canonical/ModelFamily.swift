import IngotFormat

/// The architecture families Ingot knows the canonical layout of (specs/canonical.md).
public enum ModelFamily: String, Sendable, CaseIterable {
    case llama, qwen2, gpt2

    /// The family of a Hugging Face `model_type` (mistral and smollm checkpoints are llama configs).
    public init?(modelType: String) {
        switch modelType.lowercased() {
        case "llama", "mistral", "smollm", "smollm2": self = .llama
        case "qwen2": self = .qwen2
        case "gpt2": self = .gpt2
        default: return nil
        }
    }
}

/// Builds `ingot.config` from a Hugging Face config.json or from GGUF `llama.*` keys.
public enum CanonicalConfig {
    /// The canonical config of a Hugging Face config.json, or nil when its `model_type` is not a known family.
    public static func fromHF(_ hf: JSONObject) -> (family: ModelFamily, config: JSONObject)? {
        guard let type = hf["model_type"]?.stringValue, let family = ModelFamily(modelType: type) else { return nil }
        func int(_ k: String) -> Int64? { hf[k]?.intValue }
        func num(_ k: String) -> Double? { hf[k]?.doubleValue }
        var c = JSONObject()
        switch family {
        case .llama, .qwen2:
            let hidden = int("hidden_size") ?? 0, heads = int("num_attention_heads") ?? 0
            c["vocab_size"] = int("vocab_size").map(JSONValue.int) ?? .null
            c["hidden_size"] = .int(hidden)
            c["num_layers"] = int("num_hidden_layers").map(JSONValue.int) ?? .null
            c["num_heads"] = .int(heads)
            c["num_kv_heads"] = .int(int("num_key_value_heads") ?? heads)
            c["head_dim"] = .int(int("head_dim") ?? (heads > 0 ? hidden / heads : 0))
            c["ffn_size"] = int("intermediate_size").map(JSONValue.int) ?? .null
            c["norm"] = .string("rmsnorm")
            c["norm_eps"] = .double(num("rms_norm_eps") ?? 1e-6)
            c["activation"] = .string(hf["hidden_act"]?.stringValue ?? "silu")
            c["position"] = .string("rope")
            // transformers ≥ 5 writes `rope_parameters` (theta and scaling together) instead of the v4 top-level
            // `rope_theta` / `rope_scaling`; read either.
            let params = hf["rope_parameters"]?.objectValue
            c["rope_theta"] = .double(num("rope_theta") ?? params?["rope_theta"]?.doubleValue ?? 10000)
            if let s = hf["rope_scaling"], s != .null {
                c["rope_scaling"] = s
            } else if var p = params, let type = p["rope_type"]?.stringValue, type != "default" {
                p["rope_theta"] = nil
                c["rope_scaling"] = .object(p)
            } else {
                c["rope_scaling"] = .null
            }
            c["max_positions"] = int("max_position_embeddings").map(JSONValue.int) ?? .null
            c["tied_embeddings"] = .bool(hf["tie_word_embeddings"]?.boolValue ?? false)
            c["attention_bias"] = .bool(family == .qwen2 ? true : (hf["attention_bias"]?.boolValue ?? false))
        case .gpt2:
            let hidden = int("n_embd") ?? 0, heads = int("n_head") ?? 0
            c["vocab_size"] = int("vocab_size").map(JSONValue.int) ?? .null
            c["hidden_size"] = .int(hidden)
            c["num_layers"] = int("n_layer").map(JSONValue.int) ?? .null
            c["num_heads"] = .int(heads)
            c["num_kv_heads"] = .int(heads)
            c["head_dim"] = .int(heads > 0 ? hidden / heads : 0)
            c["ffn_size"] = .int(int("n_inner") ?? 4 * hidden)
            c["norm"] = .string("layernorm")
            c["norm_eps"] = .double(num("layer_norm_epsilon") ?? 1e-5)
            c["activation"] = .string(hf["activation_function"]?.stringValue ?? "gelu_new")
            c["position"] = .string("learned")
            c["max_positions"] = int("n_positions").map(JSONValue.int) ?? .null
            c["tied_embeddings"] = .bool(true)
            c["attention_bias"] = .bool(true)
        }
        c["bos_token_id"] = hf["bos_token_id"] ?? .null
        c["eos_token_id"] = hf["eos_token_id"] ?? .null
        c["torch_dtype"] = hf["torch_dtype"] ?? hf["dtype"] ?? .null
        return (family, c)
    }
}
