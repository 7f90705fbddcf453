import IngotFormat

/// A tokenizer as a GGUF file stores it (the `tokenizer.ggml.*` keys), given as plain arrays so that the GGUF
/// reader (or anyone) can fill it in. `Tokenizer(gguf:)` builds the tokenizer transformers builds from the same
/// keys (transformers 5.25 `integrations/gguf/gguf_tokenizer_mapping.py`).
public struct GGUFVocabulary: Sendable {
    /// `tokenizer.ggml.model`: "gpt2" (byte-level BPE), "llama" (SentencePiece-style BPE) or "bert" (WordPiece).
    public var model: String
    /// `tokenizer.ggml.pre`: the split regex of byte-level vocabularies ("llama-bpe", "qwen2", "smollm", …).
    public var preTokenizer: String?
    public var tokens: [String]
    /// `tokenizer.ggml.scores`: with no merges, SentencePiece merges are rebuilt from them.
    public var scores: [Float]?
    /// `tokenizer.ggml.token_type`: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
    public var tokenTypes: [Int32]?
    /// `tokenizer.ggml.merges`: "a b" strings.
    public var merges: [String]?
    public var bosID: Int?
    public var eosID: Int?
    public var unkID: Int?
    public var sepID: Int?
    public var clsID: Int?
    public var addBOS: Bool?
    public var addEOS: Bool?
    /// `tokenizer.ggml.add_space_prefix` (SentencePiece vocabularies; default true).
    public var addSpacePrefix: Bool?

    public init(model: String, tokens: [String]) {
        self.model = model
        self.tokens = tokens
    }

    func token(_ id: Int?) -> String? { id.flatMap { $0 >= 0 && $0 < tokens.count ? tokens[$0] : nil } }

    /// The bos, eos and unk tokens: transformers makes them special tokens of the tokenizer it builds.
    var namedSpecials: [String] { [bosID, eosID, unkID].compactMap { token($0) } }
}

extension Tokenizer {
    /// A tokenizer from GGUF vocabulary arrays.
    public convenience init(gguf v: GGUFVocabulary) throws(TokenizerError) {
        guard v.tokens.count <= Vocabulary.maxSize else {
            throw .badModel("vocabulary of \(v.tokens.count) tokens (limit \(Vocabulary.maxSize))")
        }
        let types = v.tokenTypes ?? []
        func tokens(ofType t: Int32) -> [String] {
            zip(v.tokens, types).filter { $0.1 == t }.map(\.0)
        }
        switch v.model {
        case "gpt2":
            // Tokens outside the byte alphabet are respelled from their UTF-8 bytes, as transformers does.
            let entries = v.tokens.enumerated().map { i, t in
                (ByteLevelAlphabet.decode(t) != nil ? t : ByteLevelAlphabet.encode(Array(t.utf8)), Int64(i))
            }
            let vocab = try Vocabulary(entries, lastWins: true)
            let model = try BPEModel(vocab: vocab, merges: try Self.splitMerges(v.merges ?? []), options: .init(), byteLevel: true)
            let pre: PreTokenizer
            if let scanner = Self.ggufSplits[v.preTokenizer ?? ""] {
                pre = .sequence([.split(.regex(scanner), .isolated, invert: false), .byteLevel(addPrefixSpace: false, useRegex: false)])
            } else {
                pre = .byteLevel(addPrefixSpace: false, useRegex: true)
            }
            let control = tokens(ofType: 3).filter { ByteLevelAlphabet.decode($0) != nil }
            var added = (control + v.namedSpecials).map { AddedToken(content: $0, normalized: false, special: true) }
            added += tokens(ofType: 4).filter { vocab.id($0) != nil }.map { AddedToken(content: $0, normalized: false) }
            self.init(
                normalizer: nil, preTokenizer: pre, model: .bpe(model), addedTokens: added,
                postProcessor: Self.bosEOSTemplate(v, addBOSDefault: false), decoder: .byteLevel)
        case "llama":
            let vocab = try Vocabulary(v.tokens.enumerated().map { ($1, Int64($0)) }, lastWins: true)
            let merges: MergeList
            if let m = v.merges { merges = try Self.splitMerges(m) } else { merges = MergeList(try Self.mergesFromScores(v)) }
            var o = BPEModel.Options()
            o.fuseUnk = true
            o.byteFallback = true
            let model = try BPEModel(vocab: vocab, merges: merges, options: o, byteLevel: false)
            let prefix = v.addSpacePrefix ?? true
            var decoders: [Decoder] = [.replace(pattern: "\u{2581}", content: " "), .byteFallback, .fuse]
            if prefix { decoders.append(.strip(content: 0x20, start: 1, stop: 0)) }
            var added = (tokens(ofType: 3) + v.namedSpecials).map { AddedToken(content: $0, normalized: false, special: true) }
            added += tokens(ofType: 4).map { AddedToken(content: $0, normalized: false) }
            self.init(
                normalizer: nil, preTokenizer: .metaspace(replacement: 0x2581, scheme: prefix ? .first : .never, split: false),
                model: .bpe(model), addedTokens: added, postProcessor: Self.bosEOSTemplate(v, addBOSDefault: true),
                decoder: .sequence(decoders))
        case "bert":
            try self.init(bert: v)
        default:
            throw .unsupported(component: "GGUF tokenizer model", type: v.model)
        }
    }

    /// llama.cpp stores BERT vocabularies with "▁" on word starts and bare continuations; WordPiece wants bare
    /// word starts and "##" continuations. Normalizer, pre-tokenizer and template follow BERT's tokenizer.json.
    private convenience init(bert v: GGUFVocabulary) throws(TokenizerError) {
        let entries = v.tokens.enumerated().map { i, t -> (String, Int64) in
            if t.hasPrefix("[") && t.hasSuffix("]") { return (t, Int64(i)) }
            if t.hasPrefixBytes("\u{2581}") { return (String(t.unicodeScalars.dropFirst()), Int64(i)) }
            return ("##" + t, Int64(i))
        }
        let vocab = try Vocabulary(entries, lastWins: true)
        let unk = v.unkID.flatMap { $0 >= 0 && $0 < entries.count ? entries[$0].0 : nil } ?? "[UNK]"
        let model = try WordPieceModel(vocab: vocab, unkToken: unk, prefix: "##", maxInputCharsPerWord: 100)
        var post: PostProcessor? = nil
        if let cls = v.clsID ?? v.bosID, let sep = v.sepID ?? v.eosID, let c = v.token(cls), let s = v.token(sep) {
            post = .bert(sep: (s, sep), cls: (c, cls))
        }
        let added = v.tokens.enumerated().filter { i, t in
            t.hasPrefix("[") && t.hasSuffix("]") && (v.tokenTypes.map { $0.count > i && $0[i] == 3 } ?? true)
        }.map { AddedToken(content: $0.1, normalized: false, special: true) }
        self.init(
            normalizer: .bert(cleanText: true, chineseChars: true, stripAccents: true, lowercase: true), preTokenizer: .bert,
            model: .wordPiece(model), addedTokens: added, postProcessor: post, decoder: .wordPiece(prefix: "##", cleanup: true))
    }

    /// transformers' GGUF_PRE_TOKENIZER_SPLITS for the patterns Ingot scans.
    static let ggufSplits: [String: SplitScanner] = {
        var m: [String: SplitScanner] = [:]
        for n in ["llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano", "dbrx", "smaug-bpe"] {
            m[n] = .llama3(maxDigits: 3)
        }
        for n in ["qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez"] { m[n] = .llama3(maxDigits: 1) }
        return m
    }()

    static func splitMerges(_ merges: [String]) throws(TokenizerError) -> MergeList {
        var out = MergeList()
        for (i, m) in merges.enumerated() {
            var m = m
            guard m.withUTF8({ out.appendSpaced($0) }) else { throw .badModel("merge \(i + 1) \(quoted(m)) is not two tokens") }
        }
        return out
    }

    /// transformers' template: "[bos] $A [eos]", pair adding "[bos]:1 $B:1 [eos]:1".
    static func bosEOSTemplate(_ v: GGUFVocabulary, addBOSDefault: Bool) -> PostProcessor {
        let bos = (v.addBOS ?? addBOSDefault) ? v.bosID.flatMap { id in v.token(id).map { ($0, id) } } : nil
        let eos = (v.addEOS ?? false) ? v.eosID.flatMap { id in v.token(id).map { ($0, id) } } : nil
        var specials: [String: (ids: [Int], tokens: [String])] = [:]
        var single: [TemplatePiece] = []
        var pair: [TemplatePiece] = []
        for typeID in 0..<2 {
            var part: [TemplatePiece] = []
            if let b = bos {
                specials[b.0] = ([b.1], [b.0])
                part.append(.special(b.0, typeID: typeID))
            }
            part.append(.sequence(isB: typeID == 1, typeID: typeID))
            if let e = eos {
                specials[e.0] = ([e.1], [e.0])
                part.append(.special(e.0, typeID: typeID))
            }
            if typeID == 0 { single = part }
            pair += part
        }
        return .template(single: single, pair: pair, specials: specials)
    }
}
