import IngotFormat
import Testing

@testable import IngotText

/// Tokenizer(gguf:) on the fixture tokenizers written out as GGUF arrays the way llama.cpp's converter lays them
/// out: the result must match what `tokenizers` gave for the original tokenizer.json.
@Suite struct GGUFVocabularyTests {
    /// The fixture's vocabulary by id and its merges as "a b" strings.
    func arrays(_ kind: String) throws -> (tokens: [String], merges: [String]) {
        let root = try TextFixtures.json("\(kind).tokenizer.json")
        let model = try #require(root["model"]?.objectValue)
        var tokens: [String] = []
        for (k, v) in try #require(model["vocab"]?.objectValue) {
            let id = Int(try #require(v.intValue))
            if tokens.count <= id { tokens += [String](repeating: "", count: id + 1 - tokens.count) }
            tokens[id] = k
        }
        let merges = (model["merges"]?.arrayValue ?? []).map { m in
            m.stringValue ?? (m.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " ")
        }
        return (tokens, merges)
    }

    /// Ids and decode as `tokenizers` gave for the tokenizer.json; offsets too unless `offsets` is false
    /// (transformers' byte-level GGUF tokenizer has no ByteLevel post-processor, so it does not trim them).
    func expectFixture(_ tok: Tokenizer, _ kind: String, offsets: Bool = true) throws {
        var bad = 0
        var first = ""
        for (s, c) in zip(TextFixtures.corpus, try TextFixtures.cases(kind).cases) {
            let e = tok.encode(s)
            if e.ids != c.ids || (offsets && e.offsets != c.offsets) || tok.decode(e.ids) != c.decoded {
                if bad == 0 {
                    first = "\(String(reflecting: s)): ids \(e.ids == c.ids), offsets \(e.offsets == c.offsets), "
                        + "decode \(String(reflecting: tok.decode(e.ids))) vs \(String(reflecting: c.decoded))"
                }
                bad += 1
            }
        }
        #expect(bad == 0, "\(bad) strings differ, first \(first)")
    }

    @Test func byteLevelVocabulary() throws {
        let (tokens, merges) = try arrays("gpt2")
        var v = GGUFVocabulary(model: "gpt2", tokens: tokens)
        v.merges = merges
        v.preTokenizer = "gpt-2"
        v.tokenTypes = tokens.map { $0 == "<|endoftext|>" ? 3 : 1 }
        try expectFixture(Tokenizer(gguf: v), "gpt2", offsets: false)
    }

    @Test func sentencePieceVocabulary() throws {
        let (tokens, merges) = try arrays("sp-metaspace")
        var v = GGUFVocabulary(model: "llama", tokens: tokens)
        v.merges = merges
        v.tokenTypes = tokens.map { $0 == "<unk>" ? 2 : $0 == "<s>" || $0 == "</s>" ? 3 : $0.hasPrefix("<0x") ? 6 : 1 }
        (v.bosID, v.eosID, v.unkID) = (1, 2, 0)
        try expectFixture(Tokenizer(gguf: v), "sp-metaspace")
    }

    @Test func wordPieceVocabularyInPhantomSpaceForm() throws {
        let (tokens, _) = try arrays("wordpiece")
        // llama.cpp's BERT vocabularies: "▁" on word starts, continuations bare, [X] specials as they are.
        let phantom = tokens.map { t in
            t.hasPrefix("[") && t.hasSuffix("]") ? t : t.hasPrefix("##") ? String(t.dropFirst(2)) : "\u{2581}" + t
        }
        var v = GGUFVocabulary(model: "bert", tokens: phantom)
        v.tokenTypes = phantom.map { $0.hasPrefix("[") && $0.hasSuffix("]") ? 3 : 1 }
        (v.unkID, v.clsID, v.sepID) = (tokens.firstIndex(of: "[UNK]"), tokens.firstIndex(of: "[CLS]"), tokens.firstIndex(of: "[SEP]"))
        try expectFixture(Tokenizer(gguf: v), "wordpiece")
    }

    /// transformers' generate_merges: by score (best first), then longer left part, then longer right part.
    @Test func mergesRebuiltFromScores() throws {
        var v = GGUFVocabulary(model: "llama", tokens: ["a", "b", "c", "ab", "bc", "abc"])
        v.scores = [0, 0, 0, -1, -2, -3]
        let merges = try Tokenizer.mergesFromScores(v).map { "\($0.0) \($0.1)" }
        #expect(merges == ["a b", "b c", "ab c", "a bc"])
    }

    @Test func unknownGGUFModel() {
        #expect(throws: TokenizerError.unsupported(component: "GGUF tokenizer model", type: "rwkv")) {
            try Tokenizer(gguf: GGUFVocabulary(model: "rwkv", tokens: ["a"]))
        }
    }
}
