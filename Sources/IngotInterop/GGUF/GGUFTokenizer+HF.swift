import IngotFormat

extension GGUFTokenizer {
    /// llama.cpp's token types (gguf-py `TokenType`).
    enum TokenType: Int32 {
        case normal = 1, control = 3, userDefined = 4
    }

    /// Special tokens gguf-py's `SpecialVocab` looks for, in its order, with the GGUF key each is written under
    /// (`cls` has none: it only stands in for a missing bos).
    static let specialTypes: [(name: String, key: String?)] = [
        ("bos", "tokenizer.ggml.bos_token_id"), ("eos", "tokenizer.ggml.eos_token_id"),
        ("unk", "tokenizer.ggml.unknown_token_id"), ("sep", "tokenizer.ggml.seperator_token_id"),  // sic: gguf-py's key
        ("pad", "tokenizer.ggml.padding_token_id"), ("cls", nil), ("mask", "tokenizer.ggml.mask_token_id"),
    ]

    /// The `tokenizer.*` pairs `convert_hf_to_gguf.py` writes for a Hugging Face byte-level BPE tokenizer
    /// (`TextModel._set_vocab_gpt2` + `gguf.SpecialVocab(load_merges=True)`), from the Hugging Face form of
    /// `ingot.tokenizer` (`tokenizer_json`, `tokenizer_config`, `chat_template`).
    ///
    /// - tokens: `model.vocab` and `added_tokens` by id, up to `vocabSize` (ids with no token become `[PAD<i>]`);
    /// - token_type: 3 (control) for special added tokens, 4 (user-defined) for other added tokens and padding
    ///   entries, 1 for the rest;
    /// - merges: "a b" strings as they are; [a, b] pairs joined by a space, a space inside a part written as U+0120
    ///   as gguf-py does;
    /// - pre: recognised from the pre-tokenizer (GPT-2 byte level → gpt-2, llama-3 regex → llama-bpe, qwen2 regex →
    ///   qwen2, digits + byte level → smollm), else "default" with a warning — the converter recognises published
    ///   tokenizers by hashing their output, which needs the tokenizer itself;
    /// - special ids from `tokenizer_config` (token text looked up among `added_tokens`), then `<type>_token_id` of
    ///   the config; add_bos/add_eos from a TemplateProcessing post-processor, then `tokenizer_config`'s flags;
    /// - the chat template (a string, or gguf-py's named list).
    ///
    /// SentencePiece-style tokenizers (byte_fallback BPE, Unigram, WordPiece) are not converted: written as gpt2
    /// they would tokenize wrongly, so they are left out with a warning.
    static func keyValues(fromHF t: JSONObject, modelConfig: JSONObject, hfConfig: JSONObject?, vocabSize: Int?,
                          warnings: inout [String]) throws(GGUFCanonicalError) -> [GGUFKeyValue]
    {
        guard let text = t["tokenizer_json"]?.stringValue else {
            warnings.append("no tokenizer.json: the GGUF has no tokenizer.ggml.* keys, which llama.cpp needs")
            return []
        }
        let tok: JSONObject
        do {
            guard let o = try JSONParser.parse(Array(text.utf8)).objectValue else { throw GGUFCanonicalError.badTokenizer("tokenizer.json is not an object") }
            tok = o
        } catch let e as GGUFCanonicalError {
            throw e
        } catch {
            throw .badTokenizer("tokenizer.json: \(error)")
        }
        guard let model = tok["model"]?.objectValue else { throw .badTokenizer("tokenizer.json has no \"model\" object") }
        let type = model["type"]?.stringValue ?? "?"
        guard type == "BPE", model["byte_fallback"]?.boolValue != true, usesByteLevel(tok) else {
            warnings.append("tokenizer not converted: a \(type) model\(type == "BPE" ? " without byte-level pre-tokenization" : "") is not a GPT-2-style BPE; llama.cpp needs tokenizer.ggml.* (use its converter for this tokenizer)")
            return []
        }
        let config = t["tokenizer_config"]?.objectValue ?? JSONObject()
        let added = try addedTokens(tok)

        // Tokens by id.
        guard let vocab = model["vocab"]?.objectValue else { throw .badTokenizer("model.vocab is not an object") }
        var maxID = -1
        var entries: [(String, Int)] = []
        entries.reserveCapacity(vocab.count)
        for (token, idValue) in vocab {
            guard let i = idValue.intValue, i >= 0, i < Int64(GGUFLimits.maxArrayCount) else {
                throw .badTokenizer("model.vocab[\(quoted(token))] = \(idValue) is not a token id")
            }
            entries.append((token, Int(i)))
            maxID = max(maxID, Int(i))
        }
        for a in added { maxID = max(maxID, a.id) }
        let n = vocabSize ?? (maxID + 1)
        guard maxID < n else { throw .badTokenizer("token id \(maxID) is not below the vocabulary size \(n)") }
        guard n <= GGUFLimits.maxArrayCount else { throw .badTokenizer("vocabulary size \(n) exceeds the cap of \(GGUFLimits.maxArrayCount)") }
        // Padding a vocabulary up to the config's size is normal (a few hundred [PAD] entries); millions of them
        // mean a config that does not belong to this tokenizer.
        guard n - min(n, entries.count + added.count) <= 1 << 20 else {
            throw .badTokenizer("vocab_size \(n) is far beyond the tokenizer's \(entries.count + added.count) tokens")
        }
        var tokens = [String?](repeating: nil, count: n)
        var types = [Int32](repeating: TokenType.normal.rawValue, count: n)
        for (token, i) in entries {
            if let other = tokens[i], !sameScalars(other, token) {
                throw .badTokenizer("tokens \(quoted(other)) and \(quoted(token)) share id \(i)")
            }
            tokens[i] = token
        }
        for a in added {
            tokens[a.id] = a.content
            types[a.id] = (a.special ? TokenType.control : TokenType.userDefined).rawValue
        }
        var list: [String] = []
        list.reserveCapacity(n)
        for i in 0..<n {
            if let s = tokens[i] { list.append(s) } else {
                list.append("[PAD\(i)]")
                types[i] = TokenType.userDefined.rawValue
            }
        }

        var out: [GGUFKeyValue] = []
        if let space = config["add_prefix_space"]?.boolValue {  // LlamaModel.set_vocab writes it first
            out.append(GGUFKeyValue("tokenizer.ggml.add_space_prefix", .bool(space)))
        }
        out.append(GGUFKeyValue("tokenizer.ggml.model", .string("gpt2")))
        let pre = preTokenizerName(tok["pre_tokenizer"])
        if pre == "default" {
            warnings.append("pre-tokenizer not recognised: tokenizer.ggml.pre is \"default\", check llama.cpp tokenizes like the original")
        }
        out.append(GGUFKeyValue("tokenizer.ggml.pre", .string(pre)))
        out.append(GGUFKeyValue("tokenizer.ggml.tokens", .array(.string(list))))
        out.append(GGUFKeyValue("tokenizer.ggml.token_type", .array(.int32(types))))
        let merges = try self.merges(model["merges"])
        if !merges.isEmpty { out.append(GGUFKeyValue("tokenizer.ggml.merges", .array(.string(merges)))) }
        let contents = specialContents(config)
        out += specialIDs(contents, added: added, modelConfig: hfConfig ?? modelConfig, vocabSize: n, warnings: &warnings)
        out += addFlags(tok, contents, config: config)
        out += chatTemplate(t["chat_template"] ?? config["chat_template"], warnings: &warnings)
        return out
    }

    /// The text of each special token `tokenizer_config.json` names (a string or an object with `content`); a
    /// missing bos falls back to cls and a missing eos to sep, as in gguf-py.
    private static func specialContents(_ config: JSONObject) -> [String: String] {
        var out: [String: String] = [:]
        for (name, _) in specialTypes {
            let v = config["\(name)_token"]
            if let s = v?.stringValue { out[name] = s } else if let s = v?.objectValue?["content"]?.stringValue { out[name] = s }
        }
        if out["bos"] == nil, let cls = out["cls"] { out["bos"] = cls }
        if out["eos"] == nil, let sep = out["sep"] { out["eos"] = sep }
        return out
    }

    /// Special token ids in gguf-py's order: first those `tokenizer_config` names (found among the added tokens),
    /// then `<type>_token_id` from config.json for the rest. Only integers below the vocabulary size count.
    private static func specialIDs(_ contents: [String: String], added: [AddedToken], modelConfig: JSONObject,
                                   vocabSize n: Int, warnings: inout [String]) -> [GGUFKeyValue]
    {
        var ids: [(name: String, id: Int)] = []
        func set(_ name: String, _ id: Int) {
            guard !ids.contains(where: { $0.name == name }) else { return }
            guard id < n else {
                warnings.append("special token \(name) id \(id) is not below the vocabulary size \(n): left out")
                return
            }
            ids.append((name, id))
        }
        for (name, _) in specialTypes {
            if let text = contents[name], let a = added.first(where: { sameScalars($0.content, text) }) { set(name, a.id) }
        }
        for (name, _) in specialTypes {
            if let i = modelConfig["\(name)_token_id"]?.intValue, i >= 0, i <= Int64(UInt32.max) { set(name, Int(i)) }
        }
        return ids.compactMap { entry in
            guard let key = specialTypes.first(where: { $0.name == entry.name })?.key else { return nil }
            return GGUFKeyValue(key, .uint32(UInt32(entry.id)))
        }
    }

    /// add_bos/add_eos/add_sep: set by a Roberta or TemplateProcessing post-processor (a leading bos, a trailing
    /// eos), then overridden by `tokenizer_config`'s `add_<type>_token` flags — gguf-py's crude parse, kept simple.
    private static func addFlags(_ tok: JSONObject, _ contents: [String: String], config: JSONObject) -> [GGUFKeyValue] {
        var flags: [(name: String, value: Bool)] = []
        func set(_ name: String, _ v: Bool) {
            if let i = flags.firstIndex(where: { $0.name == name }) { flags[i].value = v } else { flags.append((name, v)) }
        }
        if let pp = tok["post_processor"]?.objectValue {
            let processors = pp["processors"]?.arrayValue?.compactMap(\.objectValue) ?? [pp]
            for p in processors {
                switch p["type"]?.stringValue {
                case "RobertaProcessing":
                    set("bos", true); set("eos", true); set("sep", true)
                case "TemplateProcessing":
                    guard let single = p["single"]?.arrayValue, single.count > 1 else { continue }
                    func special(_ v: JSONValue?) -> String? { v?.objectValue?["SpecialToken"]?.objectValue?["id"]?.stringValue }
                    if let first = special(single.first) { set("bos", first == contents["bos"] || first == contents["cls"]) }
                    if let last = special(single.last) { set("eos", last == contents["eos"]) }
                default: continue
                }
            }
        }
        for name in ["bos", "eos", "sep"] {
            if let b = config["add_\(name)_token"]?.boolValue { set(name, b) }
        }
        return flags.map { GGUFKeyValue("tokenizer.ggml.add_\($0.name)_token", .bool($0.value)) }
    }

    /// `tokenizer.chat_template` from a string; from a list of {name, template}, gguf-py's layout (the "default" one
    /// as `tokenizer.chat_template`, the others as `tokenizer.chat_template.<name>` listed in
    /// `tokenizer.chat_templates`).
    private static func chatTemplate(_ v: JSONValue?, warnings: inout [String]) -> [GGUFKeyValue] {
        guard let v, v != .null else { return [] }
        if let s = v.stringValue { return [GGUFKeyValue("tokenizer.chat_template", .string(s))] }
        guard let list = v.arrayValue else {
            warnings.append("chat_template is neither a string nor a list: left out")
            return []
        }
        var out: [GGUFKeyValue] = [], names: [String] = [], fallback: String? = nil
        for item in list {
            guard let o = item.objectValue, let template = o["template"]?.stringValue else { continue }
            let name = String((o["name"]?.stringValue ?? "").map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
            if name == "default" { fallback = template } else if !name.isEmpty, !names.contains(name) {
                names.append(name)
                out.append(GGUFKeyValue("tokenizer.chat_template.\(name)", .string(template)))
            }
        }
        if !names.isEmpty { out.append(GGUFKeyValue("tokenizer.chat_templates", .array(.string(names)))) }
        if let d = fallback { out.append(GGUFKeyValue("tokenizer.chat_template", .string(d))) }
        return out
    }

    struct AddedToken {
        let id: Int
        let content: String
        let special: Bool
    }

    private static func addedTokens(_ tok: JSONObject) throws(GGUFCanonicalError) -> [AddedToken] {
        guard let list = tok["added_tokens"] else { return [] }
        guard let items = list.arrayValue else { throw .badTokenizer("added_tokens is not an array") }
        var out: [AddedToken] = []
        for item in items {
            guard let o = item.objectValue, let i = o["id"]?.intValue, i >= 0, i < Int64(GGUFLimits.maxArrayCount),
                let content = o["content"]?.stringValue
            else { throw .badTokenizer("added_tokens holds \(item), not {id, content}") }
            out.append(AddedToken(id: Int(i), content: content, special: o["special"]?.boolValue ?? false))
        }
        return out
    }

    /// Whether the tokenizer maps bytes to printable characters (GPT-2's byte level), which is what llama.cpp's
    /// "gpt2" model type decodes.
    private static func usesByteLevel(_ tok: JSONObject) -> Bool {
        func byteLevel(_ v: JSONValue?) -> Bool {
            guard let o = v?.objectValue else { return false }
            if o["type"]?.stringValue == "ByteLevel" { return true }
            for key in ["pretokenizers", "processors", "decoders"] {
                if let items = o[key]?.arrayValue, items.contains(where: { byteLevel($0) }) { return true }
            }
            return false
        }
        return byteLevel(tok["pre_tokenizer"]) || byteLevel(tok["decoder"])
    }

    static let llama3Regex =
        "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
    static let qwen2Regex =
        "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"

    /// llama.cpp's name for the pre-tokenizer, recognised from its configuration; "default" when unknown.
    static func preTokenizerName(_ v: JSONValue?) -> String {
        guard let o = v?.objectValue else { return "default" }
        let steps: [JSONObject] =
            o["type"]?.stringValue == "Sequence" ? (o["pretokenizers"]?.arrayValue ?? []).compactMap(\.objectValue) : [o]
        func isByteLevel(_ s: JSONObject, regex: Bool) -> Bool {
            s["type"]?.stringValue == "ByteLevel" && (s["use_regex"]?.boolValue ?? true) == regex
        }
        let types = steps.map { $0["type"]?.stringValue ?? "" }
        if steps.count == 1, let s = steps.first, isByteLevel(s, regex: true) { return "gpt-2" }
        if types == ["Digits", "ByteLevel"], steps[0]["individual_digits"]?.boolValue == true, isByteLevel(steps[1], regex: true) {
            return "smollm"
        }
        if types == ["Split", "ByteLevel"], isByteLevel(steps[1], regex: false),
            let pattern = steps[0]["pattern"]?.objectValue?["Regex"]?.stringValue
        {
            if pattern == llama3Regex { return "llama-bpe" }
            if pattern == qwen2Regex { return "qwen2" }
        }
        return "default"
    }

    /// gguf-py's merges: strings kept, pairs joined with spaces inside parts encoded as U+0120.
    private static func merges(_ v: JSONValue?) throws(GGUFCanonicalError) -> [String] {
        guard let v, v != .null else { return [] }
        guard let items = v.arrayValue else { throw .badTokenizer("model.merges is not an array") }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for item in items {
            if let s = item.stringValue {
                out.append(s)
            } else if let pair = item.arrayValue, pair.count == 2, let a = pair[0].stringValue, let b = pair[1].stringValue {
                func encode(_ s: String) -> String { String(String.UnicodeScalarView(s.unicodeScalars.map { $0 == " " ? "\u{120}" : $0 })) }
                out.append(encode(a) + " " + encode(b))
            } else {
                throw .badTokenizer("model.merges holds \(item), neither \"a b\" nor [a, b]")
            }
        }
        return out
    }
}
