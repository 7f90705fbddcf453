import IngotFormat

/// Caps the GGUF reader enforces before trusting a count or length from a file (specs/gguf-mapping.md, "Caps").
///
/// Besides these, every count is checked against the bytes left in the header before anything is allocated:
/// n tensor infos need at least 24·n bytes, n key-value pairs 14·n, an array of n elements n × (its smallest
/// element), so a short file can never make the reader reserve more than a small multiple of its own size.
/// The writer refuses to produce a file these caps would reject.
public enum GGUFLimits {
    /// Everything before the data section (KVs + tensor infos). The largest real headers (262k-token vocabularies
    /// with merges) are ~30 MB.
    public static let maxHeaderBytes = 256 << 20
    /// Ingot's own cap on tensors per file (a GGUF file with more could not become an Ingot file).
    public static let maxTensors = Limits.maxTensors
    /// Real files hold a few dozen pairs.
    public static let maxKeyValues = 1_000_000
    /// One string (a key, a value, a tensor name). ggml allows 1 GiB; the header cap is lower anyway.
    public static let maxStringBytes = 64 << 20
    /// Elements of one array (ggml allows 2^30; the largest real ones are ~500k merges).
    public static let maxArrayCount = 1 << 26
    /// Nesting of arrays of arrays (gguf-py writes them, ggml does not read them); bounds the parser's recursion.
    public static let maxArrayDepth = 16
    /// ggml's GGML_MAX_DIMS.
    public static let maxDimensions = 4
    /// The smallest encodings, used to bound counts by the bytes remaining.
    static let minTensorInfoBytes = 8 + 4 + 4 + 8  // empty name, n_dims = 0, type, offset
    static let minKeyValueBytes = 8 + 1 + 4 + 1  // 1-byte key, type, a u8 or bool value
}
