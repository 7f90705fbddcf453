/// Why an `ingot.config` (plus, for rope, the `ingot.hf_config` it came from) cannot drive the forward pass.
/// Every case names the key, so the CLI can print one line that says what to fix.
public enum ModelConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `ingot.architecture` is missing or is not a family the forward pass implements.
    case unsupportedArchitecture(String?)
    /// The metadata has no `ingot.config` object.
    case missingConfig
    /// A required key is absent or null.
    case missingKey(String)
    /// A key holds the wrong JSON type (`found` is the JSON type name).
    case wrongType(key: String, expected: String, found: String)
    /// A key has the right type but a value the math cannot use.
    case invalidValue(key: String, reason: String)
    /// A value that names a variant this forward pass does not implement (a rope type, an activation, …).
    case unsupported(key: String, value: String)
    /// A key of the source file (a GGUF `llama.rope.freq_base`) whose value no model can run with; the config
    /// lists it in `invalid_source_keys` rather than carry a default in its place.
    case invalidSourceValue(key: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupportedArchitecture(a):
            if let a { return "architecture '\(a)' has no forward pass (supported: \(ModelFamilies.supported))" }
            return "the metadata has no ingot.architecture"
        case .missingConfig: return "the metadata has no ingot.config object"
        case let .missingKey(k): return "\(Self.prefix(for: k))missing key '\(k)'"
        case let .wrongType(k, e, f): return "\(Self.prefix(for: k))'\(k)' must be \(e), found \(f)"
        case let .invalidValue(k, r): return "\(Self.prefix(for: k))'\(k)' \(r)"
        case let .unsupported(k, v): return "\(Self.prefix(for: k))'\(k)' = \(v) is not supported"
        case let .invalidSourceValue(k, r):
            return "source key '\(k)': \(r); the model cannot run without a valid value (no default is substituted)"
        }
    }

    /// Keys are relative to ingot.config unless they spell out another object (`ingot.hf_config.rope_parameters…`).
    /// Keys read from a Hugging Face config.json are spelled `config.json.<key>`.
    private static func prefix(for key: String) -> String {
        key.hasPrefix("ingot.") || key.hasPrefix("config.json.") ? "" : "ingot.config: "
    }
}
