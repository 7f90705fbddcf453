import IngotFormat

/// What can be wrong with the side files of a Hugging Face model directory (config.json, tokenizer.json,
/// tokenizer_config.json, generation_config.json, the sharded index, sentence-transformers' modules.json and module
/// configs). Each case names the file, so a syntax error reads "config.json is not valid JSON: …" — not the
/// container reader's "header is not valid JSON", which is about an Ingot or safetensors header. The `FileError`
/// around it carries the directory (`model/: config.json is not valid JSON: …`). The weight files keep their own
/// readers' errors, with their own paths.
public enum HFDirectoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file is not well-formed JSON (`reason` is the parser's, with its byte offset).
    case invalidJSON(file: String, reason: String)
    /// The file is not UTF-8 text.
    case notUTF8(file: String)
    /// Valid JSON of the wrong shape at the top level (an array where an object belongs, …).
    case wrongJSONType(file: String, expected: String, found: String)
    /// The file is larger than a side file is allowed to be read into memory.
    case tooLarge(file: String, bytes: Int, cap: Int)
    /// The sharded index breaks a rule (no weight_map, a shard that is not a plain file name, a tensor it puts in
    /// the wrong shard or in none).
    case badIndex(file: String, reason: String)
    /// config.json is JSON but not a config the family can read (a missing or mistyped hyperparameter).
    case badConfig(file: String, reason: String)
    /// modules.json names a module folder that is not a plain folder name of this directory.
    case badModulePath(file: String, path: String)

    public var description: String {
        switch self {
        case let .invalidJSON(f, why): "\(f) is not valid JSON: \(why)"
        case let .notUTF8(f): "\(f) is not valid UTF-8"
        case let .wrongJSONType(f, e, found): "\(f) must hold a JSON \(e), not \(found)"
        case let .tooLarge(f, n, cap): "\(f) has \(n) bytes, more than the \(cap) a side file may have"
        case let .badIndex(f, why): "\(f): \(why)"
        case let .badConfig(f, why): "\(f): \(why)"
        case let .badModulePath(f, p): "\(f): module path \(quoted(p)) is not a folder name"
        }
    }
}
