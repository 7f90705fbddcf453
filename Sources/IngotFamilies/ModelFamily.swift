import IngotFormat

/// Everything Ingot knows about one architecture family, in one place (one file per family, registered in
/// `ModelFamilies.all`): how its Hugging Face config.json becomes the typed canonical config (with the family's
/// defaults), how its checkpoint names map onto canonical names, which layout the forward pass runs, its tensor
/// names, and its GGUF names.
///
/// Canonical names are the Hugging Face names of the family's base checkpoints (specs/canonical.md §3).
public protocol ModelFamily: Sendable {
    /// `ingot.architecture`; also the GGUF `general.architecture` for families with GGUF names.
    var name: String { get }
    /// config.json `model_type` values this family reads.
    var modelTypes: [String] { get }
    var layout: ModelLayout { get }
    /// What `ingot.config` means when a key is absent.
    var defaults: ConfigDefaults { get }
    /// The typed canonical config of a Hugging Face config.json. Every key it reads must have the right type and a
    /// sane value, or the error names the key.
    func config(fromHF hf: JSONObject) throws(ModelConfigError) -> ModelConfig
    /// The canonical name of a tensor as a checkpoint stores it; nil for buffers that are not weights (attention
    /// masks, position ids), which import drops.
    func canonicalName(stored: String, shape: [Int]) -> String?
    /// GGUF names, when llama.cpp has this architecture and Ingot maps it.
    var gguf: GGUFNames? { get }
}

extension ModelFamily {
    public func canonicalName(stored: String, shape: [Int]) -> String? { stored }
    public var gguf: GGUFNames? { nil }
}

/// Defaults of `ingot.config` keys for one family (a key absent from the object takes these).
public struct ConfigDefaults: Sendable, Equatable {
    public var activation: Activation
    /// ffn_size = this × hidden_size when absent (gpt2's n_inner null); nil: required.
    public var ffnMultiple: Int?
    public var tiedEmbeddings: Bool
    public var attentionBias: Bool

    public init(activation: Activation, ffnMultiple: Int? = nil, tiedEmbeddings: Bool, attentionBias: Bool) {
        self.activation = activation
        self.ffnMultiple = ffnMultiple
        self.tiedEmbeddings = tiedEmbeddings
        self.attentionBias = attentionBias
    }
}

/// The one table of families. Adding a family is a file with a type conforming to `ModelFamily` and a line here.
public enum ModelFamilies {
    public static let all: [any ModelFamily] = [LlamaFamily(), Qwen2Family(), GPT2Family(), BertFamily()]

    /// The family of an `ingot.architecture` value.
    public static func named(_ name: String) -> (any ModelFamily)? { all.first { $0.name == name } }

    /// The family of a Hugging Face `model_type` (case-insensitive: some hubs capitalise it).
    public static func forModelType(_ type: String) -> (any ModelFamily)? {
        let t = type.lowercased()
        return all.first { $0.modelTypes.contains(t) }
    }

    /// The typed config of a Hugging Face config.json, by its `model_type`; nil when that is not a known family.
    public static func config(fromHF hf: JSONObject) throws(ModelConfigError) -> ModelConfig? {
        guard let type = hf["model_type"]?.stringValue, let family = forModelType(type) else { return nil }
        return try family.config(fromHF: hf)
    }

    /// Names for error messages: "llama, qwen2, gpt2, bert".
    public static var supported: String { all.map(\.name).joined(separator: ", ") }
}
