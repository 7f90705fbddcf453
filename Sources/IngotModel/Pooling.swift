import IngotFormat

/// How an encoder's hidden states become one sentence embedding: sentence-transformers' Pooling module (mean over
/// tokens, the [CLS] token, max over tokens) or BertModel's pooler, optionally followed by its Normalize module.
public struct Pooling: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        /// The hidden states themselves, [T, hidden] (no pooling).
        case none
        /// Mean over every position (an unpadded sequence: [CLS] and [SEP] included, as sentence-transformers).
        case mean
        /// The first position's state.
        case cls
        /// Elementwise max over positions.
        case max
        /// BertModel's pooler: dense + tanh over the [CLS] state.
        case pooler
    }

    public var mode: Mode
    public var normalize: Bool

    public init(mode: Mode, normalize: Bool) {
        self.mode = mode
        self.normalize = normalize
    }

    /// The model's own pooling from `ingot.sentence_transformers` (modules.json and the Pooling module's config, as
    /// Hugging Face import stores them); nil when the model has none.
    public init?(metadata: JSONObject) throws(ModelError) {
        guard let st = metadata["ingot.sentence_transformers"]?.objectValue,
            let modules = st["modules"]?.arrayValue
        else { return nil }
        var mode: Mode? = nil
        var normalize = false
        for m in modules {
            guard let o = m.objectValue, let type = o["type"]?.stringValue else { continue }
            if type.hasSuffix(".Pooling") {
                let path = o["path"]?.stringValue ?? ""
                guard let c = st["module_configs"]?.objectValue?[path]?.objectValue else {
                    throw .load(tensor: "ingot.sentence_transformers", reason: "the Pooling module's config (\(path)/config.json) is missing")
                }
                mode = try Self.mode(c)
            } else if type.hasSuffix(".Normalize") {
                normalize = true
            }
        }
        guard let mode else { return nil }
        self.init(mode: mode, normalize: normalize)
    }

    /// sentence-transformers' Pooling config: `pooling_mode` ("mean", "cls", "max"; version 6) or the `pooling_mode_*`
    /// flags (earlier versions), of which exactly one supported one must be set.
    static func mode(_ c: JSONObject) throws(ModelError) -> Mode {
        if let name = c["pooling_mode"]?.stringValue {
            switch name {
            case "mean", "mean_tokens": return .mean
            case "cls", "cls_token": return .cls
            case "max", "max_tokens": return .max
            default: throw .load(tensor: "ingot.sentence_transformers", reason: "pooling mode \(quoted(name)) is not supported")
            }
        }
        let supported: [(String, Mode)] = [("pooling_mode_mean_tokens", .mean), ("pooling_mode_cls_token", .cls),
                                           ("pooling_mode_max_tokens", .max)]
        let other = ["pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"]
        for k in other where c[k]?.boolValue == true {
            throw .load(tensor: "ingot.sentence_transformers", reason: "pooling \(k) is not supported")
        }
        let set = supported.filter { c[$0.0]?.boolValue == true }
        guard set.count == 1, let m = set.first?.1 else {
            throw .load(tensor: "ingot.sentence_transformers", reason: "the Pooling config sets \(set.count) supported modes; one is needed")
        }
        return m
    }

    /// The sentence embedding of `h` ([hidden]); for `.none`, the hidden states themselves ([T·hidden]).
    public func apply(_ h: HiddenStates) throws(ModelError) -> [Float] {
        var v: [Float]
        switch mode {
        case .none: return normalize ? (0..<h.positions).flatMap { HiddenStates.normalized(Array(h.row($0))) } : h.values
        case .mean: v = h.mean
        case .cls: v = h.first
        case .max:
            v = [Float](repeating: -.infinity, count: h.width)
            for i in 0..<h.positions { for (j, x) in h.row(i).enumerated() where x > v[j] { v[j] = x } }
        case .pooler:
            guard let p = h.pooler else { throw .missingTensor("pooler.dense.weight") }
            v = p
        }
        return normalize ? HiddenStates.normalized(v) : v
    }
}
