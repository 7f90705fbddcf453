import IngotFormat

/// Why a tokenizer could not be built. Each case names the part of the file at fault; `description` is one line.
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not JSON (with the parser's message and byte offset).
    case invalidJSON(String)
    /// A key is missing or has the wrong type: the path (`model.vocab`) and what was expected.
    case badField(path: String, expected: String)
    /// A component type Ingot does not implement: the component (`normalizer`) and the type name.
    case unsupported(component: String, type: String)
    /// A split regex that is not one of the known patterns.
    case unknownPattern(String)
    /// The vocabulary, merges or special tokens contradict each other or exceed a limit.
    case badModel(String)

    public var description: String {
        switch self {
        case let .invalidJSON(m): "tokenizer.json is not valid JSON: \(m)"
        case let .badField(path, expected): "tokenizer field \(path): expected \(expected)"
        case let .unsupported(component, type): "unsupported \(component) type \(quoted(type))"
        case let .unknownPattern(p): "unsupported split pattern \(quoted(p)) (not one of the known GPT-2, Llama-3, Qwen2 patterns)"
        case let .badModel(m): "bad tokenizer model: \(m)"
        }
    }
}
