import IngotFormat

/// `ingot.tokenizer` in its GGUF form (specs/canonical.md §1) and the `tokenizer.*` pairs it stands for.
///
/// From GGUF, the keys a tokenizer is defined by move into `ingot.tokenizer` (`model`, `pre`, `tokens`,
/// `token_type`, `merges`, `bos_token_id`, `eos_token_id`, `chat_template`); every other `tokenizer.*` pair (scores,
/// padding id, add_bos flags, …) stays in `ingot.gguf` with its GGUF key. A pair whose type is not the one
/// llama.cpp gives it stays in `ingot.gguf` too, so nothing is reinterpreted.
enum GGUFTokenizer {
    enum Kind {
        case string, strings, integers, id
    }

    static let fields: [(json: String, key: String, kind: Kind)] = [
        ("model", "tokenizer.ggml.model", .string),
        ("pre", "tokenizer.ggml.pre", .string),
        ("tokens", "tokenizer.ggml.tokens", .strings),
        ("token_type", "tokenizer.ggml.token_type", .integers),
        ("merges", "tokenizer.ggml.merges", .strings),
        ("bos_token_id", "tokenizer.ggml.bos_token_id", .id),
        ("eos_token_id", "tokenizer.ggml.eos_token_id", .id),
        ("chat_template", "tokenizer.chat_template", .string),
    ]

    /// True when `ingot.tokenizer` came from GGUF (a token list) rather than from Hugging Face files.
    static func isGGUFForm(_ t: JSONObject) -> Bool { t["tokens"]?.arrayValue != nil }

    /// `ingot.tokenizer` from a GGUF file's pairs (empty when it has none).
    static func json(from g: GGUFFile) -> JSONObject {
        var t = JSONObject()
        for f in fields {
            guard let v = g.value(forKey: f.key) else { continue }
            switch (f.kind, v) {
            case let (.string, .string(s)): t[f.json] = .string(s)
            case let (.strings, .array(.string(a))): t[f.json] = .array(a.map(JSONValue.string))
            case let (.integers, .array(a)) where a.elementType != .array && a.elementType.fixedSize != nil:
                let ints = a.values.compactMap(\.integerValue)
                if ints.count == a.count { t[f.json] = .array(ints.map(JSONValue.int)) }
            case (.id, _):
                if let i = v.integerValue, i >= 0 { t[f.json] = .int(i) }
            default: break
            }
        }
        return t
    }

    /// The pairs of a GGUF-form `ingot.tokenizer`, with llama.cpp's types (`GGUFCanonicalKeyValues.retyped` then
    /// restores a source's own types). Entries of an unexpected JSON type are left out.
    static func keyValues(fromGGUFForm t: JSONObject) -> [GGUFKeyValue] {
        var out: [GGUFKeyValue] = []
        for f in fields {
            guard let v = t[f.json] else { continue }
            switch f.kind {
            case .string:
                if let s = v.stringValue { out.append(GGUFKeyValue(f.key, .string(s))) }
            case .strings:
                guard let a = v.arrayValue else { continue }
                let s = a.compactMap(\.stringValue)
                if s.count == a.count { out.append(GGUFKeyValue(f.key, .array(.string(s)))) }
            case .integers:
                guard let a = v.arrayValue else { continue }
                let i = a.compactMap { $0.intValue.flatMap(Int32.init(exactly:)) }
                if i.count == a.count { out.append(GGUFKeyValue(f.key, .array(.int32(i)))) }
            case .id:
                if let i = v.intValue.flatMap(UInt32.init(exactly:)) { out.append(GGUFKeyValue(f.key, .uint32(i))) }
            }
        }
        return out
    }
}
