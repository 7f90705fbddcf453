import IngotFormat

extension Tokenizer {
    /// A tokenizer from the text of a Hugging Face tokenizer.json. `truncation` and `padding` are not applied.
    public convenience init(json: String) throws(TokenizerError) {
        try self.init(jsonBytes: Array(json.utf8))
    }

    public convenience init(jsonBytes: [UInt8]) throws(TokenizerError) {
        // The vocabulary and merges are read directly into tables; JSONParser reads the rest (see LargeMembers).
        let read = try LargeMembers.read(jsonBytes)
        let root: JSONValue
        do {
            root = try JSONParser.parse(read?.rest ?? jsonBytes)
        } catch {
            throw .invalidJSON("\(error.message) at byte \(read?.originalOffset(error.offset) ?? error.offset)")
        }
        let large = read.map { (vocab: $0.vocab, merges: $0.merges) }
        let top = try JSONFields(root, path: "")
        let normalizer = try top.has("normalizer") ? TokenizerJSON.normalizer(JSONFields(top.object["normalizer"], path: "normalizer")) : nil
        let preTokenizer =
            try top.has("pre_tokenizer")
            ? TokenizerJSON.preTokenizer(JSONFields(top.object["pre_tokenizer"], path: "pre_tokenizer")) : nil
        if let preTokenizer { try TokenizerJSON.checkByteLevelLast(preTokenizer) }
        let model = try TokenizerJSON.model(
            JSONFields(top.object["model"], path: "model"), byteLevel: preTokenizer?.isByteLevel ?? false, large: large)
        var added: [AddedToken] = []
        if top.has("added_tokens") {
            for t in try top.objects("added_tokens") {
                added.append(
                    AddedToken(
                        content: try t.string("content"), singleWord: try t.bool("single_word", default: false),
                        lstrip: try t.bool("lstrip", default: false), rstrip: try t.bool("rstrip", default: false),
                        normalized: try t.bool("normalized", default: true), special: try t.bool("special", default: false)))
            }
        }
        let post = try top.has("post_processor") ? TokenizerJSON.postProcessor(JSONFields(top.object["post_processor"], path: "post_processor")) : nil
        let decoder = try top.has("decoder") ? TokenizerJSON.decoder(JSONFields(top.object["decoder"], path: "decoder")) : nil
        self.init(
            normalizer: normalizer, preTokenizer: preTokenizer, model: model, addedTokens: added, postProcessor: post,
            decoder: decoder)
    }
}

/// Reading each component of tokenizer.json.
enum TokenizerJSON {
    static func normalizer(_ f: JSONFields) throws(TokenizerError) -> Normalizer {
        let type = try f.type()
        switch type {
        case "Sequence":
            var list: [Normalizer] = []
            for n in try f.objects("normalizers") { list.append(try normalizer(n)) }
            return .sequence(list)
        case "BertNormalizer":
            let lower = try f.bool("lowercase", default: true)
            return .bert(
                cleanText: try f.bool("clean_text", default: true), chineseChars: try f.bool("handle_chinese_chars", default: true),
                stripAccents: try f.optionalBool("strip_accents") ?? lower, lowercase: lower)
        case "Prepend": return .prepend(try f.string("prepend").unicodeScalars.map(\.value))
        case "Replace":
            let p = try f.pattern("pattern")
            guard !p.isRegex else { throw .unsupported(component: "normalizer", type: "Replace with a Regex pattern") }
            return .replace(pattern: Array(p.text.utf8), content: try f.string("content").unicodeScalars.map(\.value))
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "Lowercase": return .lowercase
        case "Strip": return .strip(left: try f.bool("strip_left", default: true), right: try f.bool("strip_right", default: true))
        default: throw .unsupported(component: "normalizer", type: type)
        }
    }

    static func preTokenizer(_ f: JSONFields) throws(TokenizerError) -> PreTokenizer {
        let type = try f.type()
        switch type {
        case "Sequence":
            var list: [PreTokenizer] = []
            for p in try f.objects("pretokenizers") { list.append(try preTokenizer(p)) }
            return .sequence(list)
        case "ByteLevel":
            return .byteLevel(addPrefixSpace: try f.bool("add_prefix_space", default: true), useRegex: try f.bool("use_regex", default: true))
        case "Split":
            let p = try f.pattern("pattern")
            let pattern: SplitPattern
            if p.isRegex {
                guard let scanner = SplitScanner(pattern: p.text) else { throw .unknownPattern(p.text) }
                pattern = .regex(scanner)
            } else {
                pattern = .literal(Array(p.text.utf8))
            }
            return .split(pattern, try f.behavior("behavior"), invert: try f.bool("invert", default: false))
        case "Digits": return .digits(individual: try f.bool("individual_digits", default: false))
        case "Punctuation": return .punctuation(try f.behavior("behavior", default: .isolated))
        case "Whitespace": return .whitespace
        case "WhitespaceSplit": return .whitespaceSplit
        case "BertPreTokenizer": return .bert
        case "Metaspace":
            let (replacement, scheme) = try metaspace(f)
            return .metaspace(replacement: replacement, scheme: scheme, split: try f.bool("split", default: true))
        default: throw .unsupported(component: "pre_tokenizer", type: type)
        }
    }

    /// Metaspace's replacement and prepend scheme (the legacy `add_prefix_space: false` means `never`).
    static func metaspace(_ f: JSONFields) throws(TokenizerError) -> (UInt32, PrependScheme) {
        var scheme = PrependScheme.always
        if let s = try f.optionalString("prepend_scheme") {
            guard let p = PrependScheme(rawValue: s) else { throw .badField(path: f.sub("prepend_scheme"), expected: "first, never or always") }
            scheme = p
        }
        if try f.optionalBool("add_prefix_space") == false {
            guard scheme == .never || !f.has("prepend_scheme") else {
                throw .badField(path: f.sub("add_prefix_space"), expected: "a value matching prepend_scheme")
            }
            scheme = .never
        }
        return (try f.scalar("replacement"), scheme)
    }

    /// Ingot's BPE works on raw bytes behind ByteLevel, so nothing may split or rewrite after it.
    static func checkByteLevelLast(_ p: PreTokenizer) throws(TokenizerError) {
        guard case let .sequence(list) = p else { return }
        for (i, item) in list.enumerated() {
            try checkByteLevelLast(item)
            if item.isByteLevel && i != list.count - 1 {
                throw .unsupported(component: "pre_tokenizer", type: "Sequence with a step after ByteLevel")
            }
        }
    }

    static func model(
        _ f: JSONFields, byteLevel: Bool, large: (vocab: [(String, Int64)], merges: MergeList?)?
    ) throws(TokenizerError) -> TokenModel {
        let type = try f.type()
        var entries: [(String, Int64)] = large?.vocab ?? []
        let vocab = try JSONFields(f.object["vocab"], path: f.sub("vocab"))
        for (k, v) in vocab.object {
            guard let id = v.intValue else { throw .badField(path: vocab.sub(k), expected: "an integer id") }
            entries.append((k, id))
        }
        let vocabulary = try Vocabulary(entries)
        switch type {
        case "BPE":
            if let d = f.object["dropout"]?.doubleValue, d != 0 {
                throw .unsupported(component: "model", type: "BPE with dropout \(d)")
            }
            var merges = large?.merges ?? MergeList()
            let list = f.has("merges") ? try f.array("merges") : []
            var rank = 0
            for m in list {
                rank += 1
                if let s = m.stringValue {
                    if s.utf8.starts(with: "#version".utf8) { continue }
                    var s = s
                    guard s.withUTF8({ merges.appendSpaced($0) }) else { throw .badModel("merge \(rank) \(quoted(s)) is not two tokens") }
                } else if let a = m.arrayValue, a.count == 2, let x = a[0].stringValue, let y = a[1].stringValue {
                    merges.append(Array(x.utf8), Array(y.utf8))
                } else {
                    throw .badField(path: "\(f.sub("merges"))[\(rank - 1)]", expected: "\"a b\" or [a, b]")
                }
            }
            var o = BPEModel.Options()
            o.unkToken = try f.optionalString("unk_token")
            o.fuseUnk = try f.bool("fuse_unk", default: false)
            o.byteFallback = try f.bool("byte_fallback", default: false)
            o.ignoreMerges = try f.bool("ignore_merges", default: false)
            o.continuingSubwordPrefix = try f.optionalString("continuing_subword_prefix")
            o.endOfWordSuffix = try f.optionalString("end_of_word_suffix")
            return .bpe(try BPEModel(vocab: vocabulary, merges: merges, options: o, byteLevel: byteLevel))
        case "WordPiece":
            return .wordPiece(
                try WordPieceModel(
                    vocab: vocabulary, unkToken: try f.optionalString("unk_token") ?? "[UNK]",
                    prefix: try f.optionalString("continuing_subword_prefix") ?? "##",
                    maxInputCharsPerWord: try f.int("max_input_chars_per_word", default: 100)))
        default: throw .unsupported(component: "model", type: type)
        }
    }
}
