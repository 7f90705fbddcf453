import IngotFormat

/// A projection whose rows llama.cpp's converter permutes per head (q with the head count, k with the kv heads).
public enum QKRole: Sendable, Equatable {
    case q, k
}

/// A family's canonical ↔ GGUF tensor names (as llama.cpp's `gguf.get_tensor_name_map` maps them): global names
/// one to one, per-layer names `<canonicalLayerPrefix>N.<canonical>` ↔ `blk.N.<gguf>`.
public struct GGUFNames: Sendable {
    public struct Mapped: Sendable, Equatable {
        public let name: String
        public let role: QKRole?
    }

    public let global: [(canonical: String, gguf: String)]
    public let layer: [(canonical: String, gguf: String, role: QKRole?)]
    public let canonicalLayerPrefix: String
    /// llama.cpp permutes q/k rows for this family (llama), not for others (qwen2 keeps Hugging Face's order).
    public let permutesQK: Bool
    /// The `<arch>.*` keys that carry the config.
    public let keys: GGUFConfigKeys

    public init(global: [(canonical: String, gguf: String)], layer: [(canonical: String, gguf: String, role: QKRole?)],
                canonicalLayerPrefix: String, permutesQK: Bool, keys: GGUFConfigKeys) {
        self.global = global
        self.layer = layer
        self.canonicalLayerPrefix = canonicalLayerPrefix
        self.permutesQK = permutesQK
        self.keys = keys
    }

    public static let ggufLayerPrefix = "blk."

    public func canonical(fromGGUF name: String) -> Mapped? {
        if let g = global.first(where: { sameScalars($0.gguf, name) }) { return Mapped(name: g.canonical, role: nil) }
        guard let (n, rest) = LayerName.split(name, prefix: Self.ggufLayerPrefix),
            let l = layer.first(where: { sameScalars($0.gguf, rest) })
        else { return nil }
        return Mapped(name: canonicalLayerPrefix + n + "." + l.canonical, role: l.role)
    }

    public func gguf(fromCanonical name: String) -> Mapped? {
        if let g = global.first(where: { sameScalars($0.canonical, name) }) { return Mapped(name: g.gguf, role: nil) }
        guard let (n, rest) = LayerName.split(name, prefix: canonicalLayerPrefix),
            let l = layer.first(where: { sameScalars($0.canonical, rest) })
        else { return nil }
        return Mapped(name: Self.ggufLayerPrefix + n + "." + l.gguf, role: l.role)
    }

    /// True for names in the canonical namespace, which llama.cpp would not know if written unmapped.
    public func looksCanonical(_ name: String) -> Bool {
        name.hasPrefix(canonicalLayerPrefix) || global.contains { sameScalars($0.canonical, name) }
            || global.contains { $0.canonical.split(separator: ".").first.map { name.hasPrefix($0 + ".") } ?? false }
    }
}

/// The GGUF keys of a family's config, without the `<arch>.` prefix (llama.cpp's `LLM_KV_*` names). Import reads
/// them into `ingot.config`; export writes them back, in convert_hf_to_gguf.py's order.
public struct GGUFConfigKeys: Sendable, Equatable {
    public var contextLength = "context_length"
    public var embeddingLength = "embedding_length"
    public var blockCount = "block_count"
    public var feedForwardLength = "feed_forward_length"
    public var headCount = "attention.head_count"
    public var headCountKV = "attention.head_count_kv"
    public var keyLength = "attention.key_length"
    public var valueLength = "attention.value_length"
    public var normEps = "attention.layer_norm_rms_epsilon"
    public var ropeFreqBase = "rope.freq_base"
    public var ropeDimensionCount = "rope.dimension_count"
    public var ropeScalingType = "rope.scaling.type"
    public var ropeScalingFactor = "rope.scaling.factor"
    public var vocabSize = "vocab_size"

    /// The keys of llama-layout families (llama, qwen2: RMSNorm epsilon, rotary keys).
    public static let llamaLayout = GGUFConfigKeys()
}

/// Layer-indexed tensor names: `<prefix>N.<rest>`.
public enum LayerName {
    /// N must be a decimal layer index written the one canonical way (no sign, no leading zero), so that name
    /// mappings are bijections: "blk.01.attn_q.weight" is not a layer name.
    public static func split(_ name: String, prefix: String) -> (index: String, rest: String)? {
        guard name.hasPrefix(prefix) else { return nil }
        let tail = name.utf8.dropFirst(prefix.utf8.count)
        guard let dot = tail.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        let digits = tail[..<dot]
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            digits.count == 1 || digits.first != 0x30,
            let n = String(digits), let rest = String(tail[tail.index(after: dot)...])
        else { return nil }
        return (n, rest)
    }
}
