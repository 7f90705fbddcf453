import IngotFormat

/// The one rule every `--json` output follows: JSON has no NaN or infinity, so a non-finite number (an SQNR of
/// identical tensors, an undefined perplexity) is written as `null`, as is a figure that does not exist.
extension JSONValue {
    public static func number(_ v: Double?) -> JSONValue {
        guard let v, v.isFinite else { return .null }
        return .double(v)
    }

    /// Counts and sizes (JSON integers).
    public static func integer(_ n: Int) -> JSONValue { .int(Int64(n)) }
}
