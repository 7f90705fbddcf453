import IngotFormat

/// The typed canonical config (`ingot.config`, specs/canonical.md §2): the hyperparameters of one model, validated
/// for the forward pass. Read (`init(family:config:)`) and written (`json`) by this one type; each family's
/// `config(fromHF:)` builds it from a Hugging Face config.json with the family's defaults. See specs/forward.md for
/// how each field enters the math.
public struct ModelConfig: Sendable, Equatable {
    /// `ingot.architecture`: a family of `ModelFamilies.all`.
    public var family: String
    /// The network the forward pass runs (the family's).
    public var layout: ModelLayout
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numLayers: Int
    public var numHeads: Int
    public var numKVHeads: Int
    public var headDim: Int
    public var ffnSize: Int
    public var maxPositions: Int
    /// RMSNorm's (llama) or LayerNorm's (gpt2, bert) epsilon.
    public var normEps: Double
    public var activation: Activation
    /// Rotary base; unused by learned-position layouts.
    public var ropeTheta: Double
    public var ropeScaling: RopeScaling?
    /// The output head reuses the token embedding (gpt2 always; encoders have no head).
    public var tiedEmbeddings: Bool
    /// q/k/v projections have biases (qwen2, gpt2 and bert always).
    public var attentionBias: Bool
    /// Token-type (segment) embeddings of an encoder; 0 for decoders.
    public var typeVocabSize: Int
    /// Carried through for exports and generation; not used by the math (ids, or arrays of ids, or null).
    public var bosTokenID: JSONValue
    public var eosTokenID: JSONValue
    /// The checkpoint's declared dtype (`torch_dtype` / `dtype`), or null.
    public var torchDType: JSONValue

    /// A config from values; `validate()` runs so an instance is always usable.
    public init(family: String, layout: ModelLayout, vocabSize: Int, hiddenSize: Int, numLayers: Int, numHeads: Int,
                numKVHeads: Int, headDim: Int, ffnSize: Int, maxPositions: Int, normEps: Double,
                activation: Activation, ropeTheta: Double = 10000, ropeScaling: RopeScaling? = nil,
                tiedEmbeddings: Bool, attentionBias: Bool, typeVocabSize: Int = 0,
                bosTokenID: JSONValue = .null, eosTokenID: JSONValue = .null, torchDType: JSONValue = .null) throws(ModelConfigError) {
        self.family = family
        self.layout = layout
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.numHeads = numHeads
        self.numKVHeads = numKVHeads
        self.headDim = headDim
        self.ffnSize = ffnSize
        self.maxPositions = maxPositions
        self.normEps = normEps
        self.activation = activation
        self.ropeTheta = ropeTheta
        self.ropeScaling = ropeScaling
        self.tiedEmbeddings = tiedEmbeddings
        self.attentionBias = attentionBias
        self.typeVocabSize = typeVocabSize
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.torchDType = torchDType
        try validate()
    }

    /// From an Ingot file's metadata: `ingot.architecture`, `ingot.config`, and `ingot.hf_config` when present.
    public init(metadata: JSONObject) throws(ModelConfigError) {
        guard let arch = metadata["ingot.architecture"]?.stringValue else {
            throw .unsupportedArchitecture(nil)
        }
        guard let config = metadata["ingot.config"]?.objectValue else { throw .missingConfig }
        try self.init(family: arch, config: config, hfConfig: metadata["ingot.hf_config"]?.objectValue)
    }

    /// From a canonical config object; absent (or null) keys take the family's defaults.
    ///
    /// Rope comes from the first of: `config.rope_parameters`, `hfConfig.rope_parameters`, then `config.rope_theta`
    /// + `config.rope_scaling`. Transformers 5 writes `rope_parameters` (theta inside) instead of top-level
    /// `rope_theta`/`rope_scaling`, and a canonical config built from such a config.json may carry the default
    /// theta 10000 and no scaling; the source's own `rope_parameters` is then the truth.
    public init(family name: String, config: JSONObject, hfConfig: JSONObject? = nil) throws(ModelConfigError) {
        guard let family = ModelFamilies.named(name) else { throw .unsupportedArchitecture(name) }
        let layout = family.layout, d = family.defaults
        let r = ConfigReader(config)
        // Source values no model can run with (a GGUF import records them, keeping the file's pairs verbatim) are
        // refused by their source key before any field falls back to a default in their place.
        if let invalid = try r.object(Self.invalidSourceKeys), let key = invalid.keys.first {
            throw .invalidSourceValue(key: key, reason: invalid[key]?.stringValue ?? "invalid")
        }
        let heads = try r.positive("num_heads")
        let hidden = try r.positive("hidden_size")
        let headDefault = hidden % heads == 0 ? hidden / heads : nil
        let headDim = try r.positive("head_dim", default: headDefault)

        // The tensor layout fixes the norm and the position scheme; a config that says otherwise describes a model
        // this code would run wrongly.
        let norm = try r.string("norm") ?? layout.norm
        guard norm == layout.norm else { throw .unsupported(key: "norm", value: "\"\(norm)\" for \(name)") }
        let position = try r.string("position") ?? layout.position
        guard position == layout.position else { throw .unsupported(key: "position", value: "\"\(position)\" for \(name)") }
        let activation = try r.string("activation").map { (s) throws(ModelConfigError) -> Activation in
            guard let a = Activation(name: s) else { throw .unsupported(key: "activation", value: "\"\(s)\"") }
            return a
        } ?? d.activation

        var theta = 10000.0
        var scaling: RopeScaling? = nil
        if layout.position == "rope" {
            let hf = hfConfig.map { ConfigReader($0, path: "ingot.hf_config") }
            if let p = try r.object("rope_parameters") {
                (theta, scaling) = try Self.rope(parameters: p, path: "rope_parameters", fallbackTheta: r.double("rope_theta"))
            } else if let hf, let p = try hf.object("rope_parameters") {
                (theta, scaling) = try Self.rope(parameters: p, path: hf.key("rope_parameters"), fallbackTheta: r.double("rope_theta"))
            } else {
                theta = try r.double("rope_theta") ?? 10000
                if let o = try r.object("rope_scaling") { scaling = try RopeScaling.parse(o, path: "rope_scaling") }
            }
        }

        try self.init(
            family: name, layout: layout,
            vocabSize: r.positive("vocab_size"),
            hiddenSize: hidden,
            numLayers: r.positive("num_layers"),
            numHeads: heads,
            numKVHeads: r.positive("num_kv_heads", default: heads),
            headDim: headDim,
            ffnSize: r.positive("ffn_size", default: d.ffnMultiple.map { $0 * hidden }),
            maxPositions: r.positive("max_positions"),
            normEps: r.requiredDouble("norm_eps"),
            activation: activation,
            ropeTheta: theta,
            ropeScaling: scaling,
            tiedEmbeddings: r.bool("tied_embeddings") ?? d.tiedEmbeddings,
            attentionBias: r.bool("attention_bias") ?? d.attentionBias,
            typeVocabSize: layout == .bert ? r.positive("type_vocab_size", default: 2) : 0,
            bosTokenID: r.value("bos_token_id") ?? .null,
            eosTokenID: r.value("eos_token_id") ?? .null,
            torchDType: r.value("torch_dtype") ?? .null)
    }

    private static func rope(parameters p: JSONObject, path: String, fallbackTheta: Double?) throws(ModelConfigError)
        -> (Double, RopeScaling?)
    {
        let r = ConfigReader(p, path: path)
        guard let theta = try r.double("rope_theta") ?? fallbackTheta else { throw .missingKey(r.key("rope_theta")) }
        return (theta, try RopeScaling.parse(p, path: path))
    }

    /// `ingot.config.invalid_source_keys`: source key → why its value cannot be used (specs/canonical.md §2).
    public static let invalidSourceKeys = "invalid_source_keys"

    /// The canonical `ingot.config` object: what `init(family:config:)` reads back to an equal config.
    public var json: JSONObject { fields.json }

    /// Every field, for writing (`CanonicalConfigFields`).
    public var fields: CanonicalConfigFields {
        var f = CanonicalConfigFields(layout: layout, activation: activation, tiedEmbeddings: tiedEmbeddings,
                                      attentionBias: attentionBias)
        (f.vocabSize, f.hiddenSize, f.numLayers, f.numHeads) = (vocabSize, hiddenSize, numLayers, numHeads)
        (f.numKVHeads, f.headDim, f.ffnSize, f.maxPositions) = (numKVHeads, headDim, ffnSize, maxPositions)
        f.normEps = normEps
        f.ropeTheta = ropeTheta
        f.ropeScaling = ropeScaling.map { .object($0.json) } ?? .null
        f.typeVocabSize = typeVocabSize
        (f.bosTokenID, f.eosTokenID, f.torchDType) = (bosTokenID, eosTokenID, torchDType)
        return f
    }

    /// The relations between fields that the forward pass relies on.
    public func validate() throws(ModelConfigError) {
        let dims: [(String, Int)] = [
            ("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("num_layers", numLayers), ("num_heads", numHeads),
            ("num_kv_heads", numKVHeads), ("head_dim", headDim), ("ffn_size", ffnSize), ("max_positions", maxPositions),
        ]
        for (k, v) in dims where v <= 0 || v > Int(Int32.max) {
            throw .invalidValue(key: k, reason: "must be a positive 32-bit integer, found \(v)")
        }
        guard numHeads % numKVHeads == 0 else {
            throw .invalidValue(key: "num_kv_heads", reason: "\(numKVHeads) does not divide num_heads \(numHeads)")
        }
        guard normEps.isFinite, normEps >= 0 else { throw .invalidValue(key: "norm_eps", reason: "must be finite and ≥ 0, found \(normEps)") }
        switch layout {
        case .llama:
            guard headDim % 2 == 0 else { throw .invalidValue(key: "head_dim", reason: "must be even for rotary embeddings, found \(headDim)") }
            guard ropeTheta.isFinite, ropeTheta > 0 else {
                throw .invalidValue(key: "rope_theta", reason: "must be a finite number > 0, found \(ropeTheta)")
            }
        case .gpt2, .bert:
            // The fused c_attn output (gpt2) and the query/key/value projections (bert) are hidden wide.
            guard numHeads * headDim == hiddenSize else {
                throw .invalidValue(key: "head_dim", reason: "num_heads × head_dim (\(numHeads) × \(headDim)) must equal hidden_size \(hiddenSize) for \(family)")
            }
            guard numKVHeads == numHeads else {
                throw .invalidValue(key: "num_kv_heads", reason: "must equal num_heads for \(family), found \(numKVHeads)")
            }
            guard attentionBias else { throw .unsupported(key: "attention_bias", value: "false for \(family)") }
            if layout == .gpt2 {
                guard tiedEmbeddings else { throw .unsupported(key: "tied_embeddings", value: "false for gpt2") }
            } else {
                guard typeVocabSize > 0, typeVocabSize <= Int(Int32.max) else {
                    throw .invalidValue(key: "type_vocab_size", reason: "must be a positive 32-bit integer, found \(typeVocabSize)")
                }
            }
        }
        // Products of dimensions index BLAS matrices with 32-bit ints.
        let wide = [numHeads * headDim, numKVHeads * headDim, 3 * hiddenSize]
        for w in wide where w > Int(Int32.max) { throw .invalidValue(key: "head_dim", reason: "projection width \(w) is too large") }
    }
}
