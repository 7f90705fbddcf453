import IngotFormat

/// The fields of `ingot.config` as a source gives them, any of which may be missing, and the one function that writes
/// them as the canonical object. `ModelConfig.json` (every field known and validated) and GGUF import (a file may
/// lack keys, which become null so that a round trip keeps them out) both write through here, so the object has one
/// key order and one spelling.
public struct CanonicalConfigFields: Sendable {
    public var layout: ModelLayout
    public var vocabSize, hiddenSize, numLayers, numHeads, numKVHeads, headDim, ffnSize, maxPositions: Int?
    public var normEps: Double?
    public var activation: Activation
    public var ropeTheta: Double
    public var ropeScaling: JSONValue
    public var typeVocabSize: Int?
    public var tiedEmbeddings: Bool
    public var attentionBias: Bool
    public var bosTokenID: JSONValue
    public var eosTokenID: JSONValue
    public var torchDType: JSONValue

    public init(layout: ModelLayout, activation: Activation, tiedEmbeddings: Bool, attentionBias: Bool) {
        self.layout = layout
        self.activation = activation
        self.tiedEmbeddings = tiedEmbeddings
        self.attentionBias = attentionBias
        ropeTheta = 10000
        ropeScaling = .null
        bosTokenID = .null
        eosTokenID = .null
        torchDType = .null
    }

    public var json: JSONObject {
        func int(_ v: Int?) -> JSONValue { v.map { .int(Int64($0)) } ?? .null }
        var c = JSONObject()
        c["vocab_size"] = int(vocabSize)
        c["hidden_size"] = int(hiddenSize)
        c["num_layers"] = int(numLayers)
        c["num_heads"] = int(numHeads)
        c["num_kv_heads"] = int(numKVHeads)
        c["head_dim"] = int(headDim)
        c["ffn_size"] = int(ffnSize)
        c["norm"] = .string(layout.norm)
        c["norm_eps"] = normEps.map(JSONValue.double) ?? .null
        c["activation"] = .string(activation.rawValue)
        c["position"] = .string(layout.position)
        if layout.position == "rope" {
            c["rope_theta"] = .double(ropeTheta)
            c["rope_scaling"] = ropeScaling
        }
        if layout == .bert { c["type_vocab_size"] = int(typeVocabSize) }
        c["max_positions"] = int(maxPositions)
        c["tied_embeddings"] = .bool(tiedEmbeddings)
        c["attention_bias"] = .bool(attentionBias)
        c["bos_token_id"] = bosTokenID
        c["eos_token_id"] = eosTokenID
        c["torch_dtype"] = torchDType
        return c
    }
}
