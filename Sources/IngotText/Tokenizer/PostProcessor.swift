/// One piece of a TemplateProcessing template: a sequence ($A / $B) or a special token, with its type id.
enum TemplatePiece: Sendable {
    case sequence(isB: Bool, typeID: Int)
    case special(String, typeID: Int)
}

/// The post-processors of tokenizer.json (tokenizers' `process_encodings` of each).
indirect enum PostProcessor: Sendable {
    case template(single: [TemplatePiece], pair: [TemplatePiece], specials: [String: (ids: [Int], tokens: [String])])
    case bert(sep: (String, Int), cls: (String, Int))
    case roberta(sep: (String, Int), cls: (String, Int), trimOffsets: Bool, addPrefixSpace: Bool)
    case byteLevel(trimOffsets: Bool, addPrefixSpace: Bool)
    case sequence([PostProcessor])

    func process(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        switch self {
        case let .sequence(list):
            var e = encodings
            for p in list { e = p.process(e, addSpecialTokens: addSpecialTokens) }
            return e
        case let .byteLevel(trim, prefix):
            return trim ? encodings.map { Self.trimOffsets($0, addPrefixSpace: prefix) } : encodings
        case let .template(single, pair, specials):
            let template = encodings.count > 1 ? pair : single
            var out: [Encoding] = []
            for piece in template {
                switch piece {
                case let .sequence(isB, typeID):
                    let i = isB ? 1 : 0
                    guard i < encodings.count else { continue }
                    var e = encodings[i]
                    e.typeIds = [Int](repeating: typeID, count: e.ids.count)
                    out.append(e)
                case let .special(name, typeID):
                    guard addSpecialTokens, let s = specials[name] else { continue }
                    out.append(Encoding.special(s.ids, s.tokens, typeID: typeID))
                }
            }
            return out
        case let .bert(sep, cls):
            guard addSpecialTokens else { return encodings }
            return encodings.enumerated().map { i, e in
                i == 0
                    ? Encoding.special([cls.1], [cls.0], typeID: 0) + e + Encoding.special([sep.1], [sep.0], typeID: 0)
                    : e + Encoding.special([sep.1], [sep.0], typeID: 1)
            }
        case let .roberta(sep, cls, trim, prefix):
            var list = trim ? encodings.map { Self.trimOffsets($0, addPrefixSpace: prefix) } : encodings
            for i in list.indices { list[i].typeIds = [Int](repeating: 0, count: list[i].ids.count) }
            guard addSpecialTokens else { return list }
            return list.enumerated().map { i, e in
                let s = Encoding.special([sep.1], [sep.0], typeID: 0)
                return i == 0 ? Encoding.special([cls.1], [cls.0], typeID: 0) + e + s : s + e + s
            }
        }
    }

    /// ByteLevel's `process_offsets`: offsets leave out a token's leading and trailing spaces (Ġ stands for one
    /// byte), except the single space ByteLevel itself put in front of the first token.
    static func trimOffsets(_ encoding: Encoding, addPrefixSpace: Bool) -> Encoding {
        var e = encoding
        for (i, token) in e.tokens.enumerated() {
            var lead = 0
            var leadCount = 0
            for s in token.unicodeScalars {
                guard let w = spaceWidth(s) else { break }
                lead += w
                leadCount += 1
            }
            var trail = 0
            for s in token.unicodeScalars.reversed() {
                guard let w = spaceWidth(s) else { break }
                trail += w
            }
            guard lead > 0 || trail > 0 else { continue }
            var (a, b) = (e.offsets[i].lowerBound, e.offsets[i].upperBound)
            if lead > 0 {
                let isFirst = i == 0 || a == 0
                if !(isFirst && addPrefixSpace && leadCount == 1) { a = min(a + lead, b) }
            }
            if trail > 0 && b >= trail { b = max(b - trail, a) }
            e.offsets[i] = a..<b
        }
        return e
    }

    /// Bytes of the original text one leading/trailing character stands for, nil when it is not a space.
    private static func spaceWidth(_ s: Unicode.Scalar) -> Int? {
        if s.value == 0x120 { return 1 }  // Ġ: a space byte
        return UnicodeTables.has(s.value, CharClass.whitespace) ? UTF8Scan.width(s.value) : nil
    }
}
