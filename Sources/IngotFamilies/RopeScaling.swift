import IngotFormat

/// Rotary frequency scaling: llama-3's and linear position interpolation; `rope_type` "default" means none.
public enum RopeScaling: Sendable, Equatable {
    /// Llama 3.1's piecewise rescaling of the inverse frequencies (see `RotaryEmbedding` and specs/forward.md).
    case llama3(factor: Double, lowFreqFactor: Double, highFreqFactor: Double, originalMaxPositions: Int)
    /// Position interpolation: every inverse frequency divided by `factor`.
    case linear(factor: Double)

    /// The canonical `rope_scaling` object (transformers' key names).
    public var json: JSONObject {
        switch self {
        case let .llama3(f, low, high, original):
            JSONObject([("rope_type", .string("llama3")), ("factor", .double(f)), ("low_freq_factor", .double(low)),
                        ("high_freq_factor", .double(high)), ("original_max_position_embeddings", .int(Int64(original)))])
        case let .linear(f):
            JSONObject([("rope_type", .string("linear")), ("factor", .double(f))])
        }
    }

    /// Parses a `rope_scaling` (transformers 4) or `rope_parameters` (transformers 5) object; nil for "default".
    /// `path` prefixes the keys in errors.
    public static func parse(_ o: JSONObject, path: String) throws(ModelConfigError) -> RopeScaling? {
        let r = ConfigReader(o, path: path)
        // Transformers < 4.45 spelled it `type`; both may appear, and then they agree.
        let spelled = try r.string("rope_type"), legacy = try r.string("type")
        guard let type = spelled ?? legacy else { return nil }
        switch type {
        case "default": return nil
        case "llama3":
            let factor = try r.requiredDouble("factor")
            let low = try r.requiredDouble("low_freq_factor")
            let high = try r.requiredDouble("high_freq_factor")
            let original = try r.positive("original_max_position_embeddings")
            guard factor > 0 else { throw .invalidValue(key: r.key("factor"), reason: "must be positive, found \(factor)") }
            // The smoothing divides by high − low, and the bands are only ordered when high > low > 0.
            guard low > 0, high > low else {
                throw .invalidValue(key: r.key("high_freq_factor"),
                                    reason: "must exceed low_freq_factor > 0 (low \(low), high \(high))")
            }
            return .llama3(factor: factor, lowFreqFactor: low, highFreqFactor: high, originalMaxPositions: original)
        case "linear":
            let factor = try r.requiredDouble("factor")
            guard factor > 0 else { throw .invalidValue(key: r.key("factor"), reason: "must be positive, found \(factor)") }
            return .linear(factor: factor)
        default:
            throw .unsupported(key: r.key("rope_type"), value: "\"\(type)\"")
        }
    }
}
