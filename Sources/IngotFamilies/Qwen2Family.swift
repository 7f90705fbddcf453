import IngotFormat

/// Qwen2: the llama layout with q/k/v biases always present; llama.cpp keeps its q/k rows in Hugging Face order.
public struct Qwen2Family: ModelFamily {
    public init() {}
    public var name: String { "qwen2" }
    public var modelTypes: [String] { ["qwen2"] }
    public var layout: ModelLayout { .llama }
    public var defaults: ConfigDefaults { ConfigDefaults(activation: .silu, tiedEmbeddings: false, attentionBias: true) }

    public func config(fromHF hf: JSONObject) throws(ModelConfigError) -> ModelConfig {
        try LlamaFamily.decoderConfig(hf, family: name, attentionBias: true)
    }

    public var gguf: GGUFNames? { LlamaNames.gguf(permutesQK: false) }
}
