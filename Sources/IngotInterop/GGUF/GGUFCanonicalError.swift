import IngotFormat

/// Why a GGUF file cannot be mapped onto the canonical layout (import), or a canonical model cannot be written as a
/// GGUF file llama.cpp loads (export). Configs come from files and are untrusted: every relation the q/k row
/// permutation relies on is checked before a byte moves. Wrapped in `FileError(path:, …)` by the callers.
public enum GGUFCanonicalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A key the mapping needs is absent (a GGUF key on import, an `ingot.config` key on export).
    case missingKey(String)
    /// A key holds the wrong type or an impossible value (negative, zero, beyond u32, per-layer values that differ).
    case badValue(key: String, reason: String)
    /// The q/k row permutation needs rows to split into `heads` heads of two equal halves.
    case headsDoNotDivideRows(tensor: String, rows: Int, heads: Int)
    /// A q/k projection whose row count contradicts heads × head_dim.
    case rowsNotHeadsTimesHeadDim(tensor: String, rows: Int, heads: Int, headDim: Int)
    /// A q/k tensor the permutation cannot reorder (rank other than 1 or 2, or a block-quantized bias).
    case cannotPermute(tensor: String, reason: String)
    /// Two tensors map to the same name.
    case duplicateTensor(String)
    /// A Hugging Face-style tensor name (`model.…`, `lm_head.…`) with no GGUF counterpart: llama.cpp would refuse
    /// a file holding it.
    case unmappedTensor(String)
    /// Export needs a llama-family model (or a GGUF-origin model of another architecture, passed through).
    case unsupportedArchitecture(String?)
    /// `tokenizer.json` (or the GGUF tokenizer keys) cannot be converted.
    case badTokenizer(String)
    /// A GGUF key collides with an entry Ingot reserves inside `ingot.gguf`.
    case reservedKey(String)
    /// The model carries no tokenizer, which llama.cpp needs to load a GGUF.
    case noTokenizer

    public var description: String {
        switch self {
        case let .missingKey(k): "missing key \(quoted(k))"
        case let .badValue(k, r): "key \(quoted(k)): \(r)"
        case let .headsDoNotDivideRows(t, rows, heads):
            "tensor \(quoted(t)): \(rows) rows cannot be split into \(heads) heads of two equal halves (the q/k row permutation needs rows to be a multiple of 2 × \(heads))"
        case let .rowsNotHeadsTimesHeadDim(t, rows, heads, hd):
            "tensor \(quoted(t)): \(rows) rows, but \(heads) heads × head_dim \(hd) = \(Checked.mul(heads, hd).map(String.init) ?? "more than 2^63")"
        case let .cannotPermute(t, r): "tensor \(quoted(t)): cannot reorder q/k rows: \(r)"
        case let .duplicateTensor(n): "two tensors map to \(quoted(n))"
        case let .unmappedTensor(n): "tensor \(quoted(n)) has no GGUF name (llama.cpp would refuse the file)"
        case let .unsupportedArchitecture(a):
            "cannot export architecture \(a.map(quoted) ?? "(none)") to GGUF: only llama and qwen2 models, or GGUF files of other architectures passed through unchanged"
        case let .badTokenizer(r): "tokenizer: \(r)"
        case let .reservedKey(k): "key \(quoted(k)) is reserved by Ingot inside ingot.gguf"
        case .noTokenizer:
            "no tokenizer: llama.cpp needs tokenizer.ggml.* keys to load a GGUF (convert from a directory with tokenizer.json, or allow a GGUF without one)"
        }
    }
}
