import IngotFamilies
import IngotFormat

/// The llama-family hyperparameters GGUF and `ingot.config` share (specs/canonical.md §2–3), read from either side.
///
/// Reading is lenient — a missing field is nil, so that import can describe whatever a file holds — but never
/// trusting: a present value of the wrong type or out of range is an error. `checkedForExport` then demands what
/// llama.cpp needs to load the file.
struct GGUFCanonicalConfig: Equatable {
    enum Rope: Equatable {
        case none
        case llama3(Llama3RopeFactors)
        /// Position interpolation (`rope_type` linear): GGUF's `rope.scaling.type` "linear" + `rope.scaling.factor`.
        case linear(factor: Double)
        /// A scaling GGUF has no keys for here (yarn, dynamic, …): exported without it, with a warning.
        case unsupported(String)
    }

    var vocabSize: Int?
    var hiddenSize: Int?
    var numLayers: Int?
    var numHeads: Int?
    var numKVHeads: Int?
    var headDim: Int?
    var ffnSize: Int?
    var maxPositions: Int?
    var normEps: Double?
    var ropeTheta: Double = 10000
    var rope: Rope = .none
    /// GGUF keys whose values no model can run with (a zero size, a non-positive or NaN rope base, a negative or NaN
    /// epsilon), with why: such a value is left out of the config (null, or rope's default) and kept verbatim in
    /// `ingot.gguf`, so import round-trips the file — and it is written as `ingot.config.invalid_source_keys`, which
    /// `ModelConfig` refuses, so the forward pass never runs with a default in its place.
    var invalidKeys = JSONObject()

    /// The `ingot.config` key `ModelConfig` checks (specs/canonical.md §2).
    static let invalidKeysKey = ModelConfig.invalidSourceKeys

    /// From `ingot.config`. Rope comes from the first of `rope_parameters`, `ingot.hf_config.rope_parameters`, then
    /// `rope_theta` + `rope_scaling` — the order the forward pass (IngotModel's ModelConfig) reads them in, so the
    /// exported file rotates like the model Ingot verifies.
    init(config c: JSONObject, hfConfig: JSONObject?) throws(GGUFCanonicalError) {
        func count(_ k: String) throws(GGUFCanonicalError) -> Int? {
            guard let v = c[k], v != .null else { return nil }
            guard let i = v.intValue, i > 0, i <= Int64(UInt32.max) else {
                throw .badValue(key: "ingot.config.\(k)", reason: "must be a positive 32-bit integer, found \(v)")
            }
            return Int(i)
        }
        func number(_ o: JSONObject, _ k: String, _ path: String) throws(GGUFCanonicalError) -> Double? {
            guard let v = o[k], v != .null else { return nil }
            guard let d = v.doubleValue, d.isFinite else { throw .badValue(key: "\(path).\(k)", reason: "not a finite number") }
            return d
        }
        vocabSize = try count("vocab_size")
        hiddenSize = try count("hidden_size")
        numLayers = try count("num_layers")
        numHeads = try count("num_heads")
        numKVHeads = try count("num_kv_heads") ?? numHeads
        if let h = try count("head_dim") {
            headDim = h
        } else if let hidden = hiddenSize, let heads = numHeads, hidden % heads == 0 {
            headDim = hidden / heads
        }
        ffnSize = try count("ffn_size")
        maxPositions = try count("max_positions")
        normEps = try number(c, "norm_eps", "ingot.config")

        let ropeObject: (JSONObject, String)?
        if let p = c["rope_parameters"]?.objectValue {
            ropeObject = (p, "ingot.config.rope_parameters")
        } else if let p = hfConfig?["rope_parameters"]?.objectValue {
            ropeObject = (p, "ingot.hf_config.rope_parameters")
        } else {
            ropeObject = c["rope_scaling"]?.objectValue.map { ($0, "ingot.config.rope_scaling") }
        }
        var theta: Double? = nil
        if let (o, path) = ropeObject { theta = try number(o, "rope_theta", path) }
        if theta == nil { theta = try number(c, "rope_theta", "ingot.config") }
        ropeTheta = theta ?? 10000
        guard ropeTheta > 0 else { throw .badValue(key: "ingot.config.rope_theta", reason: "must be positive") }
        if let (o, path) = ropeObject {
            let type = (o["rope_type"]?.stringValue ?? o["type"]?.stringValue ?? "default").lowercased()
            switch type {
            case "default": rope = .none
            case "llama3": rope = try Llama3RopeFactors.parse(o, key: path).map(Rope.llama3) ?? .none
            case "linear":
                guard let f = try number(o, "factor", path), f > 0 else { throw .missingKey("\(path).factor") }
                rope = .linear(factor: f)
            default: rope = .unsupported(type)
            }
        }
    }

    /// The heads and head size the q/k permutation and llama.cpp rely on, checked against each other.
    func checkedForExport() throws(GGUFCanonicalError) -> (heads: Int, kvHeads: Int, headDim: Int) {
        for (k, v) in [("hidden_size", hiddenSize), ("num_layers", numLayers), ("num_heads", numHeads),
                       ("ffn_size", ffnSize), ("max_positions", maxPositions)] where v == nil {
            throw .missingKey("ingot.config.\(k)")
        }
        guard let heads = numHeads, let kv = numKVHeads else { throw .missingKey("ingot.config.num_heads") }
        guard let hd = headDim else {
            throw .badValue(key: "ingot.config.head_dim", reason: "absent, and hidden_size is not a multiple of num_heads")
        }
        guard heads % kv == 0 else {
            throw .badValue(key: "ingot.config.num_kv_heads", reason: "\(kv) does not divide num_heads \(heads)")
        }
        guard hd % 2 == 0 else { throw .badValue(key: "ingot.config.head_dim", reason: "\(hd) is odd: rope rotates pairs") }
        guard normEps != nil else { throw .missingKey("ingot.config.norm_eps") }
        return (heads, kv, hd)
    }
}

extension GGUFCanonicalConfig {
    /// Reads the `<arch>.*` keys of a GGUF file (specs/canonical.md §3). `key_length` is the head size when present
    /// (llama.cpp's n_embd_head_k); `rope.dimension_count` otherwise, then hidden / heads.
    init(gguf g: GGUFFile, arch: String, keys k: GGUFConfigKeys) throws(GGUFCanonicalError) {
        let a = arch + "."
        func count(_ k: String) throws(GGUFCanonicalError) -> Int? {
            guard let v = g.value(forKey: k) else { return nil }
            let x: Int64
            if let i = v.integerValue {
                x = i
            } else if let arr = v.arrayValue, arr.count > 0, let first = arr[0].integerValue,
                arr.values.allSatisfy({ $0.integerValue == first })
            {
                x = first  // a per-layer array that is uniform describes the same model
            } else {
                throw .badValue(key: k, reason: "\(GGUFMetadata.typeName(v)) is not one integer")
            }
            guard x >= 0, x <= Int64(UInt32.max) else { throw .badValue(key: k, reason: "\(x) is out of range") }
            return Int(x)
        }
        func number(_ k: String) throws(GGUFCanonicalError) -> Double? {
            guard let v = g.value(forKey: k) else { return nil }
            switch v {
            case let .float32(f) where f.isFinite: return Double(f)
            case let .float64(d) where d.isFinite: return d
            default:
                if let i = v.integerValue { return Double(i) }
                throw .badValue(key: k, reason: "\(v) is not a finite number")
            }
        }
        var invalid = JSONObject()
        // A zero size describes no model: it is left out of the config (and so kept verbatim in ingot.gguf) and
        // recorded as invalid.
        func positive(_ k: String) throws(GGUFCanonicalError) -> Int? {
            guard let v = try count(k) else { return nil }
            guard v > 0 else {
                invalid[k] = .string("0 is not a positive count")
                return nil
            }
            return v
        }
        // A float that must be finite and pass `valid`: else left out and recorded as invalid, as above.
        func float(_ k: String, _ rule: String, _ valid: (Double) -> Bool) throws(GGUFCanonicalError) -> Double? {
            guard let v = g.value(forKey: k) else { return nil }
            let d: Double
            switch v {
            case let .float32(f): d = Double(f)
            case let .float64(x): d = x
            default:
                guard let i = v.integerValue else { throw .badValue(key: k, reason: "\(GGUFMetadata.typeName(v)) is not a number") }
                d = Double(i)
            }
            guard d.isFinite, valid(d) else {
                invalid[k] = .string("\(d) is not \(rule)")
                return nil
            }
            return d
        }
        hiddenSize = try positive(a + k.embeddingLength)
        numLayers = try positive(a + k.blockCount)
        guard let heads = try count(a + k.headCount) else { throw .missingKey(a + k.headCount) }
        guard heads > 0 else { throw .badValue(key: a + k.headCount, reason: "must be positive") }
        numHeads = heads
        let kv = try count(a + k.headCountKV) ?? heads
        guard kv > 0 else { throw .badValue(key: a + k.headCountKV, reason: "must be positive") }
        numKVHeads = kv
        let keyLength = try positive(a + k.keyLength), ropeDims = try positive(a + k.ropeDimensionCount)
        if let k = keyLength ?? ropeDims {
            headDim = k
        } else if let hidden = hiddenSize, hidden % heads == 0 {
            headDim = hidden / heads
        }
        ffnSize = try positive(a + k.feedForwardLength)
        maxPositions = try positive(a + k.contextLength)
        normEps = try float(a + k.normEps, "a finite number ≥ 0") { $0 >= 0 }
        // An invalid base leaves the default here (what export regenerates when the pair is absent); the pair itself
        // stays verbatim in ingot.gguf and the key is recorded as invalid.
        if let theta = try float(a + k.ropeFreqBase, "a finite number > 0", { $0 > 0 }) { ropeTheta = theta }
        if g.value(forKey: a + k.ropeScalingType)?.stringValue == "linear", let f = try number(a + k.ropeScalingFactor),
            f > 0
        {
            rope = .linear(factor: f)
        }
        vocabSize = try positive(a + k.vocabSize)
            ?? (g.value(forKey: "tokenizer.ggml.tokens")?.arrayValue).map { $0.count }.flatMap { $0 > 0 ? $0 : nil }
        invalidKeys = invalid
    }

    /// The canonical `ingot.config` object, in the key order `CanonicalConfig.fromHF` uses.
    func json(tied: Bool, attentionBias: Bool, bos: JSONValue, eos: JSONValue) -> JSONObject {
        var f = CanonicalConfigFields(layout: .llama, activation: .silu, tiedEmbeddings: tied, attentionBias: attentionBias)
        (f.vocabSize, f.hiddenSize, f.numLayers, f.numHeads) = (vocabSize, hiddenSize, numLayers, numHeads)
        (f.numKVHeads, f.headDim, f.ffnSize, f.maxPositions) = (numKVHeads, headDim, ffnSize, maxPositions)
        f.normEps = normEps
        f.ropeTheta = ropeTheta
        switch rope {
        case .none, .unsupported: f.ropeScaling = .null
        case let .llama3(p): f.ropeScaling = .object(p.json)
        case let .linear(factor): f.ropeScaling = .object(RopeScaling.linear(factor: factor).json)
        }
        (f.bosTokenID, f.eosTokenID) = (bos, eos)
        var c = f.json
        if !invalidKeys.isEmpty { c[Self.invalidKeysKey] = .object(invalidKeys) }
        return c
    }
}
