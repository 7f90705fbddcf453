
/// Errors of the forward pass itself: weights that do not fit the config, and inputs outside the model.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The weight provider has no tensor of this name.
    case missingTensor(String)
    /// `num_layers` disagrees with the layers in the weights: the last layer it implies is missing
    /// (`present` false), or a layer beyond it exists (`present` true).
    case layerCountMismatch(numLayers: Int, tensor: String, present: Bool)
    /// A tensor's shape differs from what the config implies.
    case shapeMismatch(tensor: String, expected: [Int], found: [Int])
    /// A tensor's dtype has no f32 conversion (integer tensors are not weights).
    case unsupportedDType(tensor: String, dtype: String)
    /// A row index (token id or position) outside the table.
    case rowOutOfRange(tensor: String, row: Int, rows: Int)
    /// A token id outside [0, vocab_size).
    case tokenOutOfRange(token: Int, vocab: Int)
    /// The sequence would run past `max_positions`.
    case contextFull(position: Int, maxPositions: Int)
    /// An empty token list.
    case emptyInput
    /// Next-token logits asked of an encoder (it gives hidden states: `encode`).
    case encoderOnly
    /// `encode` asked of a decoder.
    case decoderOnly
    /// A token type id outside [0, type_vocab_size).
    case tokenTypeOutOfRange(type: Int, types: Int)
    /// A dimension too large for BLAS's 32-bit integers.
    case tooLarge(String)
    /// Reading or converting a tensor failed (the underlying error, as text).
    case load(tensor: String, reason: String)

    public var description: String {
        switch self {
        case let .missingTensor(n): return "missing tensor '\(n)'"
        case let .layerCountMismatch(n, t, present):
            return present ? "num_layers is \(n), but the weights have more layers ('\(t)')"
                : "num_layers is \(n), but the weights have no '\(t)'"
        case let .shapeMismatch(n, e, f): return "tensor '\(n)' has shape \(f), expected \(e)"
        case let .unsupportedDType(n, d): return "tensor '\(n)': no f32 conversion for \(d)"
        case let .rowOutOfRange(n, r, rows): return "tensor '\(n)': row \(r) is outside [0, \(rows))"
        case let .tokenOutOfRange(t, v): return "token id \(t) is outside the vocabulary [0, \(v))"
        case let .contextFull(p, m): return "position \(p) is beyond max_positions \(m)"
        case .emptyInput: return "no tokens to run"
        case .encoderOnly: return "an encoder has no next-token logits (run it with embed)"
        case .decoderOnly: return "a decoder has no encoder hidden states here (run it with logits)"
        case let .tokenTypeOutOfRange(t, n): return "token type \(t) is outside [0, \(n))"
        case let .tooLarge(what): return "\(what) exceeds BLAS's 32-bit index range"
        case let .load(n, r): return "tensor '\(n)': \(r)"
        }
    }
}
