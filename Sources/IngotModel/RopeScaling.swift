import IngotFormat

/// Rotary frequency scaling. Only llama-3's is implemented; `rope_type` "default" means no scaling.
public enum RopeScaling: Sendable, Equatable {
    /// Llama 3.1's piecewise rescaling of the inverse frequencies (see `RotaryEmbedding` and specs/forward.md).
    case llama3(factor: Double, lowFreqFactor: Double, highFreqFactor: Double, originalMaxPositions: Int)

    /// Parses a `rope_scaling` (transformers 4) or `rope_parameters` (transformers 5) object; nil for "default".
    /// `path` prefixes the keys in errors.
    static func parse(_ o: JSONObject, path: String) throws(ModelConfigError) -> RopeScaling? {
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
        default:
            throw .unsupported(key: r.key("rope_type"), value: "\"\(type)\"")
        }
    }
}
