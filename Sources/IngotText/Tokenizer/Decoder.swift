/// The decoders of tokenizer.json: each maps a list of token strings to a list of strings (tokenizers'
/// `decode_chain`); the results are concatenated at the end.
indirect enum Decoder: Sendable {
    case byteLevel
    case metaspace(replacement: UInt32, stripFirst: Bool)
    case wordPiece(prefix: String, cleanup: Bool)
    case bpe(suffix: String)
    case replace(pattern: String, content: String)
    case byteFallback
    case fuse
    case strip(content: UInt32, start: Int, stop: Int)
    case sequence([Decoder])

    func decode(_ tokens: [String]) -> String { chain(tokens).joined() }

    func chain(_ tokens: [String]) -> [String] {
        switch self {
        case let .sequence(list):
            var t = tokens
            for d in list { t = d.chain(t) }
            return t
        case .byteLevel:
            var bytes: [UInt8] = []
            for t in tokens {
                if let raw = ByteLevelAlphabet.decode(t) { bytes += raw } else { bytes += Array(t.utf8) }
            }
            return [String(decoding: bytes, as: UTF8.self)]
        case let .metaspace(replacement, stripFirst):
            return tokens.enumerated().map { i, t in
                var s = String.UnicodeScalarView()
                for c in t.unicodeScalars {
                    if c.value == replacement {
                        if !(i == 0 && stripFirst) { s.append(" ") }
                    } else {
                        s.append(c)
                    }
                }
                return String(s)
            }
        case let .wordPiece(prefix, cleanup):
            return tokens.enumerated().map { i, t in
                var s = t
                if i != 0 { s = s.hasPrefixBytes(prefix) ? String(decoding: Array(s.utf8).dropFirst(prefix.utf8.count), as: UTF8.self) : " " + s }
                return cleanup ? Self.cleanup(s) : s
            }
        case let .bpe(suffix):
            return tokens.enumerated().map { i, t in t.replacingBytes(suffix, with: i == tokens.count - 1 ? "" : " ") }
        case let .replace(pattern, content):
            return tokens.map { $0.replacingBytes(pattern, with: content) }
        case .byteFallback: return Self.byteFallback(tokens)
        case .fuse: return [tokens.joined()]
        case let .strip(content, start, stop):
            return tokens.map { t in
                let chars = Array(t.unicodeScalars)
                var a = 0
                for i in 0..<min(start, chars.count) {
                    guard chars[i].value == content else { break }
                    a = i + 1
                }
                var b = chars.count
                for i in 0..<min(stop, chars.count) {
                    guard chars[chars.count - i - 1].value == content else { break }
                    b = chars.count - i - 1
                }
                var s = String.UnicodeScalarView()
                if a < b { s.append(contentsOf: chars[a..<b]) }
                return String(s)
            }
        }
    }

    /// `<0xNN>` runs become their bytes when they are valid UTF-8, else one U+FFFD per byte.
    private static func byteFallback(_ tokens: [String]) -> [String] {
        var out: [String] = []
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let s = String(validating: pending, as: UTF8.self) {
                out.append(s)
            } else {
                out.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count))
            }
            pending.removeAll()
        }
        for t in tokens {
            let u = Array(t.utf8)
            if u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E, let b = UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16) {
                pending.append(b)
            } else {
                flush()
                out.append(t)
            }
        }
        flush()
        return out
    }

    /// WordPiece's cleanup: spaces before punctuation and in contractions go away.
    static func cleanup(_ s: String) -> String {
        var t = s
        for (a, b) in [
            (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
            (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
        ] {
            t = t.replacingBytes(a, with: b)
        }
        return t
    }
}

extension String {
    /// Replaces every non-overlapping occurrence, left to right, comparing bytes (not canonical equivalence).
    func replacingBytes(_ pattern: String, with content: String) -> String {
        let p = Array(pattern.utf8)
        guard !p.isEmpty else { return self }
        let s = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if s[i] == p[0], i + p.count <= s.count, s[i..<(i + p.count)].elementsEqual(p) {
                out.append(contentsOf: content.utf8)
                i += p.count
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func hasPrefixBytes(_ prefix: String) -> Bool { utf8.starts(with: prefix.utf8) }
}
