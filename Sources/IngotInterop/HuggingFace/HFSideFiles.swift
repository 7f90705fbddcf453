import IngotFormat

/// The files of a Hugging Face model directory besides its weights, rebuilt from the `ingot.*` metadata that
/// `HFDirectory` stored on import: `config.json` (`ingot.hf_config`), `generation_config.json`
/// (`ingot.hf_generation_config`), `tokenizer.json` (the text kept verbatim in `ingot.tokenizer.tokenizer_json`),
/// `tokenizer_config.json`, `chat_template.jinja` (a template that did not come from tokenizer_config.json), and for
/// a sentence-transformers model (`ingot.sentence_transformers`) `modules.json`, each module's `<path>/config.json`,
/// `sentence_bert_config.json` and `config_sentence_transformers.json`.
///
/// JSON files are written the way transformers writes them (2-space indent, a final newline) with the keys in
/// their stored order, so importing the directory again gives equal metadata. What cannot be rebuilt (no config, a
/// tokenizer in GGUF form) is a warning: the weights are still written.
public struct HFSideFiles: Sendable {
    /// Paths relative to the directory (at most one folder deep: a module's config) and their bytes, in write order.
    public private(set) var files: [(name: String, bytes: [UInt8])] = []
    public private(set) var warnings: [String] = []

    public init(metadata meta: JSONObject) throws {
        if let hf = try Self.object(meta, "ingot.hf_config") {
            try add("config.json", hf)
        } else {
            warnings.append("no ingot.hf_config: config.json could not be reconstructed (transformers needs one to load the directory)")
        }
        if let g = try Self.object(meta, "ingot.hf_generation_config") { try add("generation_config.json", g) }
        if let tok = try Self.object(meta, "ingot.tokenizer") { try addTokenizer(tok) }
        if let st = try Self.object(meta, "ingot.sentence_transformers") { try addSentenceTransformers(st) }
    }

    private mutating func addTokenizer(_ tok: JSONObject) throws {
        if let text = tok["tokenizer_json"] {
            guard let s = text.stringValue else { throw HFExportError.mistyped(key: "ingot.tokenizer.tokenizer_json", expected: "a string") }
            files.append(("tokenizer.json", Array(s.utf8)))
        } else if GGUFTokenizer.isGGUFForm(tok) {
            warnings.append("the tokenizer came from GGUF (tokenizer.ggml.*): tokenizer.json could not be reconstructed")
        }
        let config = try Self.object(tok, "tokenizer_config", shown: "ingot.tokenizer.tokenizer_config")
        if let c = config { try add("tokenizer_config.json", c) }
        // Import keeps a chat_template.jinja file's text in `chat_template`, or the template tokenizer_config.json
        // holds; only the first needs a file of its own.
        if let t = tok["chat_template"]?.stringValue, config?["chat_template"]?.stringValue != t {
            files.append(("chat_template.jinja", Array(t.utf8)))
        }
    }

    private mutating func addSentenceTransformers(_ st: JSONObject) throws {
        guard let modules = st["modules"], modules.arrayValue != nil else {
            throw HFExportError.mistyped(key: "ingot.sentence_transformers.modules", expected: "an array")
        }
        try add("modules.json", modules)
        if let configs = try Self.object(st, "module_configs", shown: "ingot.sentence_transformers.module_configs") {
            for (path, config) in configs {
                guard isPlainFileName(path) else { throw HFExportError.badModulePath(path) }
                guard config.objectValue != nil else {
                    throw HFExportError.mistyped(key: "ingot.sentence_transformers.module_configs.\(path)", expected: "an object")
                }
                try add(path + "/config.json", config)
            }
        }
        for side in ["sentence_bert_config", "config_sentence_transformers"] {
            if let o = try Self.object(st, side, shown: "ingot.sentence_transformers.\(side)") { try add(side + ".json", o) }
        }
    }

    private mutating func add(_ name: String, _ o: JSONObject) throws { try add(name, .object(o)) }

    private mutating func add(_ name: String, _ v: JSONValue) throws {
        // Parsed JSON has no NaN or infinity, so this only fails for metadata built in memory.
        do { files.append((name, Array((try JSONWriter.encode(v, indent: 2) + "\n").utf8))) } catch {
            throw HFExportError.mistyped(key: name, expected: "finite JSON")
        }
    }

    private static func object(_ o: JSONObject, _ key: String, shown: String? = nil) throws -> JSONObject? {
        guard let v = o[key], v != .null else { return nil }
        guard let obj = v.objectValue else { throw HFExportError.mistyped(key: shown ?? key, expected: "an object") }
        return obj
    }
}
