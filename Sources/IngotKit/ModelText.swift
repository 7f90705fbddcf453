import IngotFormat
import IngotInterop
import IngotText
#if canImport(Glibc)
import Glibc
#endif

/// A model's text side: its tokenizer, chat template and special tokens, from the metadata an import stored
/// (`ingot.tokenizer`: Hugging Face's tokenizer.json text and tokenizer_config, or GGUF's `tokenizer.ggml.*` arrays,
/// with the rest of the GGUF tokenizer pairs in `ingot.gguf`) — or from a bare `tokenizer.json`.
public struct ModelText: Sendable {
    public let path: String
    public let tokenizer: Tokenizer
    /// The chat template the model ships (tokenizer_config.json / chat_template.jinja / `tokenizer.chat_template`).
    public let chatTemplate: String?
    public let bosToken: String?
    public let eosToken: String?
    /// Token ids that end a generated turn (sorted): the end-of-sequence token, GGUF's end-of-turn/end-of-message ids,
    /// generation_config.json's `eos_token_id` (one or a list), and the end-of-turn tokens of common chat formats
    /// when the vocabulary has them as special tokens (what llama.cpp treats as end of generation).
    public let stopTokenIDs: [Int]

    /// Special tokens that end a turn in common chat formats (ChatML, Llama 3, Phi, Gemma, …).
    static let endOfTurnTokens = ["<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
                                  "<|end_of_text|>", "<EOT>", "<|return|>"]

    /// Opens `path` — any model source, or a `tokenizer.json` — and builds its tokenizer.
    public static func load(path: String) throws -> ModelText {
        if path.hasSuffix(".json"), !isDirectory(path) {
            let f = try withPath(path) { try MappedFile(path: path) }
            let tokenizer = try withPath(path) { try Tokenizer(jsonBytes: Array(f.bytes)) }
            return ModelText(path: path, tokenizer: tokenizer, chatTemplate: nil, bosToken: nil, eosToken: nil,
                             stopTokenIDs: Self.stopTokens(tokenizer, eos: nil, ids: []))
        }
        let source = try openModelSource(path: path)
        return try ModelText(path: path, metadata: source.metadata)
    }

    init(path: String, tokenizer: Tokenizer, chatTemplate: String?, bosToken: String?, eosToken: String?,
         stopTokenIDs: [Int]) {
        self.path = path
        self.tokenizer = tokenizer
        self.chatTemplate = chatTemplate
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.stopTokenIDs = stopTokenIDs
    }

    /// The stop set: `eos`, `ids` (from metadata) and the end-of-turn tokens the vocabulary has as special tokens.
    static func stopTokens(_ tokenizer: Tokenizer, eos: String?, ids: [Int]) -> [Int] {
        var stop = Set(ids.filter { tokenizer.token(of: $0) != nil })
        if let eos, let id = tokenizer.id(of: eos) { stop.insert(id) }
        for name in endOfTurnTokens {
            if let id = tokenizer.id(of: name), tokenizer.isSpecial(id) { stop.insert(id) }
        }
        return stop.sorted()
    }

    /// generation_config.json's `eos_token_id`: an integer or a list of them.
    static func generationStopIDs(_ metadata: JSONObject) -> [Int] {
        guard let v = metadata["ingot.hf_generation_config"]?.objectValue?["eos_token_id"] else { return [] }
        let values = v.arrayValue ?? [v]
        return values.compactMap { $0.intValue.flatMap { Int(exactly: $0) } }
    }

    /// From a model's metadata; `PipelineError.noTokenizer` when it carries none.
    public init(path: String, metadata: JSONObject) throws {
        guard let t = metadata["ingot.tokenizer"]?.objectValue else { throw PipelineError.noTokenizer(path: path) }
        self.path = path
        chatTemplate = t["chat_template"]?.stringValue
        if let json = t["tokenizer_json"]?.stringValue {
            tokenizer = try withPath(path) { try Tokenizer(json: json) }
            let config = t["tokenizer_config"]?.objectValue ?? JSONObject()
            bosToken = Self.specialToken(config["bos_token"])
            eosToken = Self.specialToken(config["eos_token"])
            stopTokenIDs = Self.stopTokens(tokenizer, eos: eosToken, ids: Self.generationStopIDs(metadata))
        } else if t["tokens"]?.arrayValue != nil {
            let vocabulary = try Self.ggufVocabulary(t, pairs: metadata["ingot.gguf"]?.objectValue ?? JSONObject(), path: path)
            let built = try withPath(path) { try Tokenizer(gguf: vocabulary) }
            tokenizer = built
            bosToken = vocabulary.bosID.flatMap { built.token(of: $0) }
            eosToken = vocabulary.eosID.flatMap { built.token(of: $0) }
            let pairs = metadata["ingot.gguf"]?.objectValue ?? JSONObject()
            let turnIDs = ["eot_token_id", "eom_token_id"].compactMap { k in
                (t[k] ?? pairs["tokenizer.ggml." + k])?.intValue.flatMap { Int(exactly: $0) }
            }
            stopTokenIDs = Self.stopTokens(built, eos: eosToken, ids: (vocabulary.eosID.map { [$0] } ?? []) + turnIDs
                                           + Self.generationStopIDs(metadata))
        } else {
            throw PipelineError.noTokenizer(path: path)
        }
    }

    /// tokenizer_config's `bos_token` / `eos_token`: a string, or an AddedToken object with `content`.
    static func specialToken(_ v: JSONValue?) -> String? {
        v?.stringValue ?? v?.objectValue?["content"]?.stringValue
    }

    /// The GGUF vocabulary of a GGUF-form `ingot.tokenizer`, with the pairs that stayed in `ingot.gguf` (scores, unknown
    /// and separator ids, add_bos/add_eos flags).
    static func ggufVocabulary(_ t: JSONObject, pairs: JSONObject, path: String) throws -> GGUFVocabulary {
        func strings(_ v: JSONValue?) -> [String]? {
            guard let a = v?.arrayValue else { return nil }
            let s = a.compactMap(\.stringValue)
            return s.count == a.count ? s : nil
        }
        func id(_ k: String) -> Int? { (t[k] ?? pairs["tokenizer.ggml." + k])?.intValue.flatMap { Int(exactly: $0) } }
        func flag(_ k: String) -> Bool? { pairs["tokenizer.ggml." + k]?.boolValue }
        guard let model = t["model"]?.stringValue, let tokens = strings(t["tokens"]) else {
            throw FileError(path: path, IngotError.invalidHeader("ingot.tokenizer has no model name or token list"))
        }
        var v = GGUFVocabulary(model: model, tokens: tokens)
        v.preTokenizer = t["pre"]?.stringValue
        v.merges = strings(t["merges"])
        v.tokenTypes = t["token_type"]?.arrayValue?.compactMap { $0.intValue.flatMap(Int32.init(exactly:)) }
        v.scores = pairs["tokenizer.ggml.scores"]?.arrayValue?.compactMap { $0.doubleValue.map(Float.init) }
        v.bosID = id("bos_token_id")
        v.eosID = id("eos_token_id")
        v.unkID = id("unknown_token_id")
        v.sepID = id("seperator_token_id")
        v.addBOS = flag("add_bos_token")
        v.addEOS = flag("add_eos_token")
        v.addSpacePrefix = flag("add_space_prefix")
        return v
    }

    /// Encodes `text`; `addSpecialTokens` adds the post-processor's tokens (BOS, [CLS] … [SEP]).
    public func tokenize(_ text: String, addSpecialTokens: Bool = true) -> TokenizeReport {
        TokenizeReport(text: text, encoding: tokenizer.encode(text, addSpecialTokens: addSpecialTokens))
    }

    /// The text of token ids (special tokens skipped unless asked).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) throws -> String {
        if let bad = ids.first(where: { $0 < 0 || tokenizer.token(of: $0) == nil }) {
            throw PipelineError.tokenOutsideVocabulary(token: bad, vocab: tokenizer.vocabularySize)
        }
        return tokenizer.decode(ids, skipSpecialTokens: skipSpecialTokens)
    }

    /// The prompt a chat template renders for `messages` (the model's own template unless `template` is given), as
    /// transformers' `apply_chat_template(tokenize=False)` does: bos/eos tokens are passed as variables.
    public func prompt(messages: [JSONValue], addGenerationPrompt: Bool = true, template: String? = nil,
                       tools: [JSONValue]? = nil) throws -> PromptReport {
        guard let source = template ?? chatTemplate else { throw PipelineError.noChatTemplate(path: path) }
        var variables = JSONObject()
        if let b = bosToken { variables["bos_token"] = .string(b) }
        if let e = eosToken { variables["eos_token"] = .string(e) }
        let text: String
        do {
            text = try ChatTemplate(source: source).render(messages: messages, tools: tools, addGenerationPrompt: addGenerationPrompt,
                                                           variables: variables)
        } catch {
            throw FileError(path: template == nil ? path : "chat template", error)
        }
        // The rendered prompt already holds the template's special tokens: encode without adding more.
        return PromptReport(text: text, encoding: tokenizer.encode(text, addSpecialTokens: false))
    }
}

/// A text's token ids, token strings and byte offsets.
public struct TokenizeReport: Sendable {
    public let text: String
    public let encoding: IngotText.Encoding

    public var json: JSONValue {
        .object(JSONObject([
            ("ids", .array(encoding.ids.map(JSONValue.integer))), ("tokens", .array(encoding.tokens.map(JSONValue.string))),
            ("offsets", .array(encoding.offsets.map { .array([.integer($0.lowerBound), .integer($0.upperBound)]) })),
        ]))
    }
}

/// A rendered chat prompt and its token ids.
public struct PromptReport: Sendable {
    public let text: String
    public let encoding: IngotText.Encoding

    public var json: JSONValue {
        .object(JSONObject([("prompt", .string(text)), ("ids", .array(encoding.ids.map(JSONValue.integer)))]))
    }
}
