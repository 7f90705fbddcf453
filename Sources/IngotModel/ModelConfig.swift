import IngotFormat

/// The hyperparameters of one model, validated for the forward pass. Built from `ingot.config`
/// (specs/canonical.md §2); see specs/forward.md for how each field enters the math.
public struct ModelConfig: Sendable, Equatable {
    /// The families with a forward pass. qwen2 is the llama layout with q/k/v biases.
    public enum Architecture: String, Sendable, Equatable, CaseIterable {
        case llama, qwen2, gpt2

        /// llama and qwen2 share norms, rope, gated MLP and tensor names.
        public var isLlamaLayout: Bool { self != .gpt2 }
    }

    public var architecture: Architecture
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numLayers: Int
    public var numHeads: Int
    public var numKVHeads: Int
    public var headDim: Int
    public var ffnSize: Int
    public var maxPositions: Int
    /// RMSNorm's (llama) or LayerNorm's (gpt2) epsilon.
    public var normEps: Double
    public var activation: Activation
    /// Rotary base; unused by gpt2.
    public var ropeTheta: Double
    public var ropeScaling: RopeScaling?
    /// The output head reuses the token embedding (gpt2 always).
    public var tiedEmbeddings: Bool
    /// q/k/v projections have biases (qwen2 always, gpt2 always).
    public var attentionBias: Bool

    /// A config from values; `validate()` runs so an instance is always usable.
    public init(architecture: Architecture, vocabSize: Int, hiddenSize: Int, numLayers: Int, numHeads: Int,
                numKVHeads: Int, headDim: Int, ffnSize: Int, maxPositions: Int, normEps: Double,
                activation: Activation, ropeTheta: Double = 10000, ropeScaling: RopeScaling? = nil,
                tiedEmbeddings: Bool, attentionBias: Bool) throws(ModelConfigError) {
        self.architecture = architecture
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
        try validate()
    }

    /// From an Ingot file's metadata: `ingot.architecture`, `ingot.config`, and `ingot.hf_config` when present.
    public init(metadata: JSONObject) throws(ModelConfigError) {
        guard let arch = metadata["ingot.architecture"]?.stringValue else {
            throw .unsupportedArchitecture(nil)
        }
        guard let config = metadata["ingot.config"]?.objectValue else { throw .missingConfig }
        try self.init(architecture: arch, config: config, hfConfig: metadata["ingot.hf_config"]?.objectValue)
    }

    /// From a canonical config object.
    ///
    /// Rope comes from the first of: `config.rope_parameters`, `hfConfig.rope_parameters`, then `config.rope_theta`
    /// + `config.rope_scaling`. Transformers 5 writes `rope_parameters` (theta inside) instead of top-level
    /// `rope_theta`/`rope_scaling`, and a canonical config built from such a config.json may carry the default
    /// theta 10000 and no scaling; the source's own `rope_parameters` is then the truth.
    public init(architecture: String, config: JSONObject, hfConfig: JSONObject? = nil) throws(ModelConfigError) {
        guard let arch = Architecture(rawValue: architecture) else { throw .unsupportedArchitecture(architecture) }
        let r = ConfigReader(config)
        let heads = try r.positive("num_heads")
        let hidden = try r.positive("hidden_size")
        let headDefault = hidden % heads == 0 ? hidden / heads : nil
        let headDim = try r.positive("head_dim", default: headDefault)

        let norm = try r.string("norm") ?? (arch.isLlamaLayout ? "rmsnorm" : "layernorm")
        let position = try r.string("position") ?? (arch.isLlamaLayout ? "rope" : "learned")
        // The tensor layout fixes the norm and the position scheme; a config that says otherwise describes a model
        // this code would run wrongly.
        guard norm == (arch.isLlamaLayout ? "rmsnorm" : "layernorm") else { throw .unsupported(key: "norm", value: "\"\(norm)\" for \(arch)") }
        guard position == (arch.isLlamaLayout ? "rope" : "learned") else {
            throw .unsupported(key: "position", value: "\"\(position)\" for \(arch)")
        }
        let actName = try r.string("activation") ?? (arch.isLlamaLayout ? "silu" : "gelu_new")
        guard let activation = Activation(name: actName) else { throw .unsupported(key: "activation", value: "\"\(actName)\"") }

        var theta = 10000.0
        var scaling: RopeScaling? = nil
        if arch.isLlamaLayout {
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
            architecture: arch,
            vocabSize: r.positive("vocab_size"),
            hiddenSize: hidden,
            numLayers: r.positive("num_layers"),
            numHeads: heads,
            numKVHeads: r.positive("num_kv_heads", default: heads),
            headDim: headDim,
            ffnSize: r.positive("ffn_size", default: arch == .gpt2 ? 4 * hidden : nil),
            maxPositions: r.positive("max_positions"),
            normEps: r.requiredDouble("norm_eps"),
            activation: activation,
            ropeTheta: theta,
            ropeScaling: scaling,
            tiedEmbeddings: r.bool("tied_embeddings") ?? (arch == .gpt2),
            attentionBias: r.bool("attention_bias") ?? (arch != .llama))
    }

    private static func rope(parameters p: JSONObject, path: String, fallbackTheta: Double?) throws(ModelConfigError)
        -> (Double, RopeScaling?)
    {
        let r = ConfigReader(p, path: path)
        guard let theta = try r.double("rope_theta") ?? fallbackTheta else { throw .missingKey(r.key("rope_theta")) }
        return (theta, try RopeScaling.parse(p, path: path))
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
        switch architecture {
        case .llama, .qwen2:
            guard headDim % 2 == 0 else { throw .invalidValue(key: "head_dim", reason: "must be even for rotary embeddings, found \(headDim)") }
            guard ropeTheta.isFinite, ropeTheta > 0 else {
                throw .invalidValue(key: "rope_theta", reason: "must be a finite number > 0, found \(ropeTheta)")
            }
        case .gpt2:
            // The fused c_attn output splits into three hidden-wide blocks of heads.
            guard numHeads * headDim == hiddenSize else {
                throw .invalidValue(key: "head_dim", reason: "num_heads × head_dim (\(numHeads) × \(headDim)) must equal hidden_size \(hiddenSize) for gpt2")
            }
            guard numKVHeads == numHeads else {
                throw .invalidValue(key: "num_kv_heads", reason: "must equal num_heads for gpt2, found \(numKVHeads)")
            }
            guard tiedEmbeddings else { throw .unsupported(key: "tied_embeddings", value: "false for gpt2") }
            guard attentionBias else { throw .unsupported(key: "attention_bias", value: "false for gpt2") }
        }
        // Products of dimensions index BLAS matrices with 32-bit ints.
        let wide = [numHeads * headDim, numKVHeads * headDim, 3 * hiddenSize]
        for w in wide where w > Int(Int32.max) { throw .invalidValue(key: "head_dim", reason: "projection width \(w) is too large") }
    }
}
