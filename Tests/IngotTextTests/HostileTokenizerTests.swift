import Testing

@testable import IngotText

/// Hostile tokenizer files: each fails with one TokenizerError naming the problem, never a crash.
@Suite struct HostileTokenizerTests {
    func error(_ json: String) -> TokenizerError? {
        do {
            _ = try Tokenizer(json: json)
            return nil
        } catch {
            return error
        }
    }

    func model(vocab: String, merges: String = "[]") -> String {
        Tiny.json(model: #"{"type": "BPE", "vocab": {\#(vocab)}, "merges": \#(merges)}"#)
    }

    @Test func mergeNamingAnUnknownToken() {
        let e = error(model(vocab: #""a": 0, "b": 1, "ab": 2"#, merges: #"["a b", "a zz"]"#))
        #expect(e == .badModel("merge 2 names \"zz\", not in the vocabulary"))
        #expect(error(model(vocab: #""a": 0, "b": 1"#, merges: #"["a b"]"#)) == .badModel("merge 1 makes \"ab\", not in the vocabulary"))
    }

    @Test func mergeOfThreeParts() {
        #expect(error(model(vocab: #""a": 0"#, merges: #"["a a a"]"#))?.description.contains("is not two tokens") == true)
    }

    @Test func duplicateIDs() {
        #expect(error(model(vocab: #""a": 0, "b": 0"#)) == .badModel("id 0 is given to both \"a\" and \"b\""))
    }

    @Test func duplicateTokensInTheVocabularyObject() {
        #expect(error(model(vocab: #""a": 0, "a": 1"#)) == .badModel("token \"a\" appears twice in the vocabulary"))
    }

    @Test func idsOutOfRange() {
        #expect(error(model(vocab: #""a": 4000000"#)) == .badModel("token id 4000000 out of range"))
        #expect(error(model(vocab: #""a": -1"#)) == .badModel("token id -1 out of range"))
        #expect(error(model(vocab: #""a": 1.5"#)) == .badField(path: "model.vocab", expected: "integer ids"))
    }

    @Test func hugeGGUFVocabularyIsCapped() {
        let v = GGUFVocabulary(model: "gpt2", tokens: [String](repeating: "", count: Vocabulary.maxSize + 1))
        #expect(throws: TokenizerError.badModel("vocabulary of 4000001 tokens (limit 4000000)")) { try Tokenizer(gguf: v) }
    }

    @Test func deeplyNestedJSON() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let e = error(Tiny.json(model: model(vocab: ""), normalizer: deep))
        #expect(e?.description.contains("nesting deeper than 64") == true)
    }

    @Test func unknownSplitPattern() {
        let pre = #"{"type": "Split", "pattern": {"Regex": "\\d+"}, "behavior": "Isolated", "invert": false}"#
        #expect(error(Tiny.json(model: #"{"type": "BPE", "vocab": {}, "merges": []}"#, preTokenizer: pre)) == .unknownPattern("\\d+"))
    }

    @Test func unsupportedComponentTypes() {
        let m = #"{"type": "BPE", "vocab": {}, "merges": []}"#
        #expect(error(Tiny.json(model: m, normalizer: #"{"type": "NFKC"}"#)) == .unsupported(component: "normalizer", type: "NFKC"))
        #expect(error(Tiny.json(model: m, preTokenizer: #"{"type": "UnicodeScripts"}"#)) == .unsupported(component: "pre_tokenizer", type: "UnicodeScripts"))
        #expect(error(Tiny.json(model: #"{"type": "Unigram", "vocab": {}}"#)) == .unsupported(component: "model", type: "Unigram"))
        #expect(error(Tiny.json(model: m, decoder: #"{"type": "CTC"}"#)) == .unsupported(component: "decoder", type: "CTC"))
        #expect(error(Tiny.json(model: m, postProcessor: #"{"type": "Nope"}"#)) == .unsupported(component: "post_processor", type: "Nope"))
    }

    @Test func stepAfterByteLevel() {
        let pre = #"{"type": "Sequence", "pretokenizers": [{"type": "ByteLevel"}, {"type": "Digits"}]}"#
        #expect(error(Tiny.json(model: #"{"type": "BPE", "vocab": {}, "merges": []}"#, preTokenizer: pre))
            == .unsupported(component: "pre_tokenizer", type: "Sequence with a step after ByteLevel"))
    }

    @Test func unkTokenMissingFromTheVocabulary() {
        #expect(error(Tiny.json(model: #"{"type": "BPE", "unk_token": "<unk>", "vocab": {"a": 0}, "merges": []}"#))
            == .badModel("unk_token \"<unk>\" is not in the vocabulary"))
    }

    @Test func invalidStringsInTheVocabulary() {
        let bad: [UInt8] = Array(model(vocab: #""a": 0, "XX": 1"#).utf8).map { $0 == UInt8(ascii: "X") ? 0xFF : $0 }
        #expect(throws: TokenizerError.self) { try Tokenizer(jsonBytes: bad) }
        #expect(error(model(vocab: "\"a\u{1}\": 0"))?.description.contains("control character in string") == true)
        #expect(error(model(vocab: #""\ud800": 0"#))?.description.contains("unpaired surrogate") == true)
    }

    @Test func notJSONAtAll() {
        #expect(error("{\"model\": ")?.description.hasPrefix("tokenizer.json is not valid JSON") == true)
        #expect(error("[]") == .badField(path: "", expected: "an object"))
    }

    @Test func errorsAreOneLine() {
        let e = TokenizerError.unknownPattern("a\nb")
        #expect(!e.description.contains("\n"))
    }
}
