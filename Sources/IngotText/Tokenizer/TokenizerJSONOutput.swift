import IngotFormat

/// Reading tokenizer.json's post-processor and decoder.
extension TokenizerJSON {
    static func postProcessor(_ f: JSONFields) throws(TokenizerError) -> PostProcessor {
        let type = try f.type()
        switch type {
        case "Sequence":
            var list: [PostProcessor] = []
            for p in try f.objects("processors") { list.append(try postProcessor(p)) }
            return .sequence(list)
        case "ByteLevel":
            return .byteLevel(
                trimOffsets: try f.bool("trim_offsets", default: true), addPrefixSpace: try f.bool("add_prefix_space", default: true))
        case "BertProcessing":
            return .bert(sep: try tokenPair(f, "sep"), cls: try tokenPair(f, "cls"))
        case "RobertaProcessing":
            return .roberta(
                sep: try tokenPair(f, "sep"), cls: try tokenPair(f, "cls"), trimOffsets: try f.bool("trim_offsets", default: true),
                addPrefixSpace: try f.bool("add_prefix_space", default: true))
        case "TemplateProcessing":
            var specials: [String: (ids: [Int], tokens: [String])] = [:]
            let map = try JSONFields(f.object["special_tokens"], path: f.sub("special_tokens"))
            for (name, value) in map.object {
                let s = try JSONFields(value, path: map.sub(name))
                var ids: [Int] = []
                for (i, v) in try s.array("ids").enumerated() {
                    guard let id = v.intValue, id >= 0, id <= Int64(Int32.max) else {
                        throw .badField(path: "\(s.sub("ids"))[\(i)]", expected: "a token id")
                    }
                    ids.append(Int(id))
                }
                let tokens = try s.array("tokens").map { v throws(TokenizerError) -> String in
                    guard let t = v.stringValue else { throw .badField(path: s.sub("tokens"), expected: "strings") }
                    return t
                }
                guard tokens.count == ids.count else { throw .badField(path: s.sub("tokens"), expected: "as many tokens as ids") }
                specials[name] = (ids, tokens)
            }
            let single = try template(f, "single", specials)
            let pair = f.has("pair") ? try template(f, "pair", specials) : single
            return .template(single: single, pair: pair, specials: specials)
        default: throw .unsupported(component: "post_processor", type: type)
        }
    }

    /// `["[SEP]", 102]`
    private static func tokenPair(_ f: JSONFields, _ key: String) throws(TokenizerError) -> (String, Int) {
        let a = try f.array(key)
        guard a.count == 2, let s = a[0].stringValue, let id = a[1].intValue, id >= 0, id <= Int64(Int32.max) else {
            throw .badField(path: f.sub(key), expected: "[token, id]")
        }
        return (s, Int(id))
    }

    private static func template(
        _ f: JSONFields, _ key: String, _ specials: [String: (ids: [Int], tokens: [String])]
    ) throws(TokenizerError) -> [TemplatePiece] {
        var out: [TemplatePiece] = []
        for (i, v) in try f.array(key).enumerated() {
            let item = try JSONFields(v, path: "\(f.sub(key))[\(i)]")
            if item.has("Sequence") {
                let s = try JSONFields(item.object["Sequence"], path: item.sub("Sequence"))
                let id = try s.string("id")
                guard id == "A" || id == "B" else { throw .badField(path: s.sub("id"), expected: "A or B") }
                out.append(.sequence(isB: id == "B", typeID: try s.int("type_id", default: 0)))
            } else if item.has("SpecialToken") {
                let s = try JSONFields(item.object["SpecialToken"], path: item.sub("SpecialToken"))
                let id = try s.string("id")
                guard specials[id] != nil else { throw .badModel("template names special token \(quoted(id)), not in special_tokens") }
                out.append(.special(id, typeID: try s.int("type_id", default: 0)))
            } else {
                throw .badField(path: item.path, expected: "{\"Sequence\": …} or {\"SpecialToken\": …}")
            }
        }
        return out
    }

    static func decoder(_ f: JSONFields) throws(TokenizerError) -> Decoder {
        let type = try f.type()
        switch type {
        case "Sequence":
            var list: [Decoder] = []
            for d in try f.objects("decoders") { list.append(try decoder(d)) }
            return .sequence(list)
        case "ByteLevel": return .byteLevel
        case "Metaspace":
            let (replacement, scheme) = try metaspace(f)
            return .metaspace(replacement: replacement, stripFirst: scheme != .never)
        case "WordPiece":
            return .wordPiece(prefix: try f.optionalString("prefix") ?? "##", cleanup: try f.bool("cleanup", default: true))
        case "BPEDecoder": return .bpe(suffix: try f.optionalString("suffix") ?? "</w>")
        case "Replace":
            let p = try f.pattern("pattern")
            guard !p.isRegex else { throw .unsupported(component: "decoder", type: "Replace with a Regex pattern") }
            return .replace(pattern: p.text, content: try f.string("content"))
        case "ByteFallback": return .byteFallback
        case "Fuse": return .fuse
        case "Strip":
            return .strip(
                content: try f.scalar("content"), start: try f.int("start", default: 0, range: 0...1_000_000),
                stop: try f.int("stop", default: 0, range: 0...1_000_000))
        default: throw .unsupported(component: "decoder", type: type)
        }
    }
}
