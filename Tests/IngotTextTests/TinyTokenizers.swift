@testable import IngotText

/// Small tokenizer.json documents written by hand for rule tests (the fixture tests cover trained ones).
enum Tiny {
    /// A tokenizer.json with the given parts (each a JSON fragment or "null").
    static func json(
        model: String, normalizer: String = "null", preTokenizer: String = "null", postProcessor: String = "null",
        decoder: String = "null", added: String = "[]"
    ) -> String {
        """
        {"version": "1.0", "truncation": null, "padding": null, "added_tokens": \(added), "normalizer": \(normalizer),
         "pre_tokenizer": \(preTokenizer), "post_processor": \(postProcessor), "decoder": \(decoder), "model": \(model)}
        """
    }

    /// A byte-level BPE over the ByteLevel alphabet with the given extra tokens and merges.
    static func byteLevelModel(merges: [(String, String)], extra: [String] = [], ignoreMerges: Bool = false) -> String {
        var vocab: [String] = (0..<256).map { ByteLevelAlphabet.encode([UInt8($0)]) }
        for (a, b) in merges where !vocab.contains(a + b) { vocab.append(a + b) }
        vocab += extra.filter { !vocab.contains($0) }
        let v = vocab.enumerated().map { "\(quote($1)): \($0)" }.joined(separator: ", ")
        let m = merges.map { quote("\($0.0) \($0.1)") }.joined(separator: ", ")
        return """
            {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null, "end_of_word_suffix": null,
             "fuse_unk": false, "byte_fallback": false, "ignore_merges": \(ignoreMerges), "vocab": {\(v)}, "merges": [\(m)]}
            """
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    static let byteLevelPre = #"{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}"#

    static func splitPre(_ pattern: String) -> String {
        """
        {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": \(quote(pattern))}, "behavior": "Isolated",
         "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]}
        """
    }

    /// The pieces a pre-tokenizer makes of a text (as strings of the normalized text).
    static func pieces(_ pre: PreTokenizer, _ text: String) -> [String] {
        var buf = TextBuffer(original: Array(text.utf8))
        let out = pre.apply([Piece(lo: 0, hi: Int32(buf.bytes.count), shift: 0, token: -1)], &buf)
        return out.map { String(decoding: buf.bytes[Int($0.lo)..<Int($0.hi)], as: UTF8.self) }
    }

    static func tokenizer(_ json: String) throws -> Tokenizer { try Tokenizer(json: json) }
}
