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

    /// `texts` are the UTF-8 of the sequences the encodings came from (offset trimming counts their characters).
    func process(_ encodings: [Encoding], texts: [[UInt8]], addSpecialTokens: Bool) -> [Encoding] {
        switch self {
        case let .sequence(list):
            var e = encodings
            for p in list { e = p.process(e, texts: texts, addSpecialTokens: addSpecialTokens) }
            return e
        case let .byteLevel(trim, prefix):
            return trim ? Self.trimOffsets(encodings, texts, addPrefixSpace: prefix) : encodings
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
            var list = trim ? Self.trimOffsets(encodings, texts, addPrefixSpace: prefix) : encodings
            for i in list.indices { list[i].typeIds = [Int](repeating: 0, count: list[i].ids.count) }
            guard addSpecialTokens else { return list }
            return list.enumerated().map { i, e in
                let s = Encoding.special([sep.1], [sep.0], typeID: 0)
                return i == 0 ? Encoding.special([cls.1], [cls.0], typeID: 0) + e + s : s + e + s
            }
        }
    }

    static func trimOffsets(_ encodings: [Encoding], _ texts: [[UInt8]], addPrefixSpace: Bool) -> [Encoding] {
        encodings.enumerated().map { i, e in trimOffsets(e, i < texts.count ? texts[i] : [], addPrefixSpace: addPrefixSpace) }
    }

    /// ByteLevel's `process_offsets`: offsets leave out a token's leading and trailing spaces (Ġ or whitespace
    /// characters), except the single space ByteLevel itself put in front of the first token. tokenizers moves the
    /// offsets by that many characters of the text (Python reports character offsets), so the byte offsets here
    /// step over that many characters.
    static func trimOffsets(_ encoding: Encoding, _ text: [UInt8], addPrefixSpace: Bool) -> Encoding {
        var e = encoding
        for (i, token) in e.tokens.enumerated() {
            var lead = 0
            for s in token.unicodeScalars {
                guard isSpace(s) else { break }
                lead += 1
            }
            var trail = 0
            for s in token.unicodeScalars.reversed() {
                guard isSpace(s) else { break }
                trail += 1
            }
            guard lead > 0 || trail > 0 else { continue }
            var (a, b) = (e.offsets[i].lowerBound, e.offsets[i].upperBound)
            if lead > 0 {
                let isFirst = i == 0 || a == 0
                if !(isFirst && addPrefixSpace && lead == 1) { a = min(step(text, a, by: lead), b) }
            }
            if trail > 0, let back = stepBack(text, b, by: trail) { b = max(back, a) }
            e.offsets[i] = a..<b
        }
        return e
    }

    private static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s.value == 0x120 || UnicodeTables.has(s.value, CharClass.whitespace)  // Ġ stands for a space byte
    }

    /// The byte offset `n` characters after `at`.
    private static func step(_ text: [UInt8], _ at: Int, by n: Int) -> Int {
        var i = at
        for _ in 0..<n where i < text.count { i += UTF8Scan.length(lead: text[i]) }
        return i
    }

    /// The byte offset `n` characters before `at`, nil when fewer characters precede it.
    private static func stepBack(_ text: [UInt8], _ at: Int, by n: Int) -> Int? {
        var i = min(at, text.count)
        for _ in 0..<n {
            guard i > 0 else { return nil }
            i -= 1
            while i > 0 && text[i] & 0xC0 == 0x80 { i -= 1 }
        }
        return i
    }
}
