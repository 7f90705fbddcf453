import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// Hugging Face tokenizer.json → `tokenizer.*` pairs, one rule per test (gguf-py's `SpecialVocab` and
/// `_set_vocab_gpt2` are the reference).
@Suite struct GGUFCanonicalTokenizerTests {
    /// A byte-level BPE tokenizer.json with `vocab`, `merges` and `added` as given.
    func tokenizer(vocab: [(String, Int)], merges: JSONValue, added: [(Int, String, Bool)] = [],
                   pre: JSONValue = .object(JSONObject([("type", .string("ByteLevel")), ("use_regex", .bool(true))])),
                   model: [(String, JSONValue)] = []) throws -> JSONObject {
        var m = JSONObject([("type", .string("BPE")), ("vocab", .object(JSONObject(vocab.map { ($0.0, .int(Int64($0.1))) }))),
                            ("merges", merges)])
        for (k, v) in model { m[k] = v }
        let t = JSONObject([
            ("added_tokens", .array(added.map { .object(JSONObject([("id", .int(Int64($0.0))), ("content", .string($0.1)), ("special", .bool($0.2))])) })),
            ("pre_tokenizer", pre), ("model", .object(m)),
        ])
        return JSONObject([("tokenizer_json", .string(try JSONWriter.encode(.object(t))))])
    }

    func pairs(_ t: JSONObject, vocabSize: Int? = nil, config: JSONObject = JSONObject(), warnings: inout [String]) throws
        -> [String: GGUFValue]
    {
        var out: [String: GGUFValue] = [:]
        for kv in try GGUFTokenizer.keyValues(fromHF: t, modelConfig: config, hfConfig: nil, vocabSize: vocabSize, warnings: &warnings) {
            out[kv.key] = kv.value
        }
        return out
    }

    @Test("merges: \"a b\" strings kept, [a, b] pairs joined — a space inside a part written as U+0120")
    func mergesBothFormats() throws {
        var w: [String] = []
        let vocab = [("a", 0), ("b", 1), ("ab", 2)]
        let strings = try pairs(try tokenizer(vocab: vocab, merges: .array([.string("a b")])), warnings: &w)
        let lists = try pairs(try tokenizer(vocab: vocab, merges: .array([.array([.string("a"), .string("b")]),
                                                                        .array([.string("x y"), .string("z")])])), warnings: &w)
        #expect(strings["tokenizer.ggml.merges"] == .array(.string(["a b"])))
        #expect(lists["tokenizer.ggml.merges"] == .array(.string(["a b", "x\u{120}y z"])))
        #expect(throws: GGUFCanonicalError.self) {
            var w: [String] = []
            _ = try pairs(try tokenizer(vocab: vocab, merges: .array([.int(3)])), warnings: &w)
        }
    }

    @Test("token types: special added → 3, other added → 4, missing ids → [PAD<i>] 4, the rest 1; vocab_size pads")
    func tokenTypes() throws {
        var w: [String] = []
        let p = try pairs(try tokenizer(vocab: [("a", 0), ("b", 1)], merges: .array([]), added: [(2, "<s>", true), (4, "<x>", false)]),
                          vocabSize: 6, warnings: &w)
        #expect(p["tokenizer.ggml.tokens"] == .array(.string(["a", "b", "<s>", "[PAD3]", "<x>", "[PAD5]"])))
        #expect(p["tokenizer.ggml.token_type"] == .array(.int32([1, 1, 3, 4, 4, 4])))
        #expect(p["tokenizer.ggml.model"] == .string("gpt2"))
        #expect(p["tokenizer.ggml.pre"] == .string("gpt-2"))
        #expect(p["tokenizer.ggml.merges"] == nil)
    }

    @Test("a token id at or beyond vocab_size, or two tokens on one id, is an error")
    func badIDs() throws {
        var w: [String] = []
        #expect(throws: GGUFCanonicalError.self) { _ = try pairs(try tokenizer(vocab: [("a", 0), ("b", 5)], merges: .array([])), vocabSize: 4, warnings: &w) }
        #expect(throws: GGUFCanonicalError.self) { _ = try pairs(try tokenizer(vocab: [("a", 0), ("b", 0)], merges: .array([])), warnings: &w) }
        #expect(throws: GGUFCanonicalError.self) { _ = try pairs(try tokenizer(vocab: [("a", -1)], merges: .array([])), warnings: &w) }
        #expect(throws: GGUFCanonicalError.self) { _ = try pairs(JSONObject([("tokenizer_json", .string("{not json"))]), warnings: &w) }
    }

    @Test("bos/eos/pad from tokenizer_config's token texts, then config ids; add flags; chat template")
    func specialTokens() throws {
        var t = try tokenizer(vocab: [("a", 0)], merges: .array([]), added: [(1, "<s>", true), (2, "</s>", true)])
        t["tokenizer_config"] = .object(JSONObject([
            ("bos_token", .string("<s>")), ("eos_token", .object(JSONObject([("content", .string("</s>"))]))),
            ("add_bos_token", .bool(true)), ("chat_template", .string("{{x}}")),
        ]))
        var w: [String] = []
        let p = try pairs(t, config: JSONObject([("pad_token_id", .int(0)), ("eos_token_id", .int(0))]), warnings: &w)
        #expect(p["tokenizer.ggml.bos_token_id"] == .uint32(1))
        #expect(p["tokenizer.ggml.eos_token_id"] == .uint32(2))  // tokenizer_config wins over config
        #expect(p["tokenizer.ggml.padding_token_id"] == .uint32(0))
        #expect(p["tokenizer.ggml.add_bos_token"] == .bool(true))
        #expect(p["tokenizer.chat_template"] == .string("{{x}}"))
    }

    @Test("pre-tokenizer: gpt-2 byte level, llama-3 and qwen2 regexes, smollm digits; anything else \"default\" with a warning")
    func preTokenizer() throws {
        func split(_ regex: String) -> JSONValue {
            .object(JSONObject([("type", .string("Sequence")), ("pretokenizers", .array([
                .object(JSONObject([("type", .string("Split")), ("pattern", .object(JSONObject([("Regex", .string(regex))])))])),
                .object(JSONObject([("type", .string("ByteLevel")), ("use_regex", .bool(false))])),
            ]))]))
        }
        #expect(GGUFTokenizer.preTokenizerName(split(GGUFTokenizer.llama3Regex)) == "llama-bpe")
        #expect(GGUFTokenizer.preTokenizerName(split(GGUFTokenizer.qwen2Regex)) == "qwen2")
        #expect(GGUFTokenizer.preTokenizerName(split("\\s+")) == "default")
        var w: [String] = []
        _ = try pairs(try tokenizer(vocab: [("a", 0)], merges: .array([]), pre: split("\\s+")), warnings: &w)
        #expect(w.contains { $0.contains("default") })
    }

    @Test("SentencePiece-style tokenizers (byte_fallback BPE, Unigram) are left out with a warning, not mis-written as gpt2")
    func sentencePieceNotConverted() throws {
        var w: [String] = []
        let metaspace = JSONValue.object(JSONObject([("type", .string("Metaspace"))]))
        let p = try pairs(try tokenizer(vocab: [("a", 0)], merges: .array([]), pre: metaspace,
                                        model: [("byte_fallback", .bool(true))]), warnings: &w)
        #expect(p.isEmpty)
        #expect(w.count == 1)
    }
}
