import Testing

@testable import IngotText

/// One test per model, added-token, post-processor and decoder rule, on tokenizers written by hand.
@Suite struct ModelRuleTests {
    static let hello = Tiny.byteLevelModel(merges: [("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o")])

    @Test func bpeMergesByRank() throws {
        let t = try Tiny.tokenizer(Tiny.json(model: Self.hello, preTokenizer: Tiny.byteLevelPre))
        let e = t.encode("hello helo")
        #expect(e.tokens == ["hello", "Ġ", "he", "l", "o"])
        #expect(e.offsets == [0..<5, 5..<6, 6..<8, 8..<9, 9..<10])
    }

    @Test func bpeMergesAsPairsEqualStrings() throws {
        let strings = try Tiny.tokenizer(Tiny.json(model: Self.hello, preTokenizer: Tiny.byteLevelPre))
        let pairs = Self.hello.replacingBytes(#""h e", "l l", "he ll", "hell o""#, with: #"["h", "e"], ["l", "l"], ["he", "ll"], ["hell", "o"]"#)
        let paired = try Tiny.tokenizer(Tiny.json(model: pairs, preTokenizer: Tiny.byteLevelPre))
        #expect(paired.encode("hello hell").ids == strings.encode("hello hell").ids)
    }

    @Test func ignoreMergesTakesAWholeWordToken() throws {
        let model = Tiny.byteLevelModel(merges: [("h", "i")], extra: ["hix"], ignoreMerges: true)
        let t = try Tiny.tokenizer(Tiny.json(model: model, preTokenizer: Tiny.byteLevelPre))
        #expect(t.encode("hix").tokens == ["hix"])
        let plain = try Tiny.tokenizer(Tiny.json(model: model.replacingBytes("\"ignore_merges\": true", with: "\"ignore_merges\": false"), preTokenizer: Tiny.byteLevelPre))
        #expect(plain.encode("hix").tokens == ["hi", "x"])
    }

    static let sentencePiece = """
        {"type": "BPE", "unk_token": "<unk>", "fuse_unk": true, "byte_fallback": true, "vocab": {"<unk>": 0, "<0xC3>": 1,
         "<0xA9>": 2, "▁": 3, "a": 4, "b": 5, "▁a": 6, "ab": 7}, "merges": ["▁ a", "a b"]}
        """

    @Test func byteFallbackSpellsUnknownCharactersAsBytes() throws {
        let t = try Tiny.tokenizer(Tiny.json(model: Self.sentencePiece, normalizer: #"{"type": "Prepend", "prepend": "▁"}"#))
        let e = t.encode("abé")
        #expect(e.tokens == ["▁a", "b", "<0xC3>", "<0xA9>"])  // "▁ a" ranks before "a b"
        #expect(e.offsets == [0..<1, 1..<2, 2..<4, 2..<4])
    }

    @Test func unknownCharactersFuseIntoOneUnk() throws {
        let model = Self.sentencePiece.replacingBytes("\"byte_fallback\": true", with: "\"byte_fallback\": false")
        let t = try Tiny.tokenizer(Tiny.json(model: model))
        #expect(t.encode("a€¥b").tokens == ["a", "<unk>", "b"])
        #expect(t.encode("a€¥b").offsets == [0..<1, 1..<6, 6..<7])
    }

    /// Expected values from tokenizers 0.23.3 on the same tokenizer.json.
    @Test func bpeContinuingPrefixAndWordSuffix() throws {
        let t = try Tiny.tokenizer(
            ###"{"added_tokens": [], "normalizer": null, "pre_tokenizer": {"type": "WhitespaceSplit"}, "post_processor": null, "decoder": {"type": "BPEDecoder", "suffix": "</w>"}, "model": {"type": "BPE", "unk_token": "<unk>", "continuing_subword_prefix": "##", "end_of_word_suffix": "</w>", "fuse_unk": false, "byte_fallback": false, "vocab": {"<unk>": 0, "l": 1, "##o": 2, "##w": 3, "##o</w>": 4, "##w</w>": 5, "lo": 6, "low</w>": 7, "l</w>": 8, "##e": 9, "##r</w>": 10, "lowe": 11, "lower</w>": 12, "##l</w>": 13, "low": 14}, "merges": ["l ##o", "lo ##w</w>", "lo ##w", "low ##e", "lowe ##r</w>"]}}"###)
        let e = t.encode("low lower lol l x lowx")
        #expect(e.tokens == ["low</w>", "lower</w>", "lo", "##l</w>", "l</w>", "<unk>", "low", "<unk>"])
        #expect(e.offsets == [0..<3, 4..<9, 10..<12, 12..<13, 14..<15, 16..<17, 18..<21, 21..<22])
        #expect(t.decode(e.ids) == "low lower lo##l l <unk>low<unk>")
    }

    static let wordPiece = """
        {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 10,
         "vocab": {"[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "a": 4, "##b": 5}}
        """

    @Test func wordPieceGreedyLongestWithContinuations() throws {
        let t = try Tiny.tokenizer(Tiny.json(model: Self.wordPiece, preTokenizer: #"{"type": "BertPreTokenizer"}"#))
        #expect(t.encode("unaffable ab").tokens == ["un", "##aff", "##able", "a", "##b"])
        #expect(t.encode("unaffable ab").offsets == [0..<2, 2..<5, 5..<9, 10..<11, 11..<12])
    }

    @Test func wordPieceUncoverableOrTooLongWordIsUnk() throws {
        let t = try Tiny.tokenizer(Tiny.json(model: Self.wordPiece, preTokenizer: #"{"type": "BertPreTokenizer"}"#))
        #expect(t.encode("abc unaffablebb").tokens == ["[UNK]", "[UNK]"])
        #expect(t.encode("abc unaffablebb").offsets == [0..<3, 4..<15])
    }

    static func added(_ tokens: [(String, String)]) -> String {
        "[" + tokens.enumerated().map { i, t in
            #"{"id": \#(300 + i), "content": \#(Tiny.quote(t.0)), \#(t.1)}"#
        }.joined(separator: ", ") + "]"
    }

    @Test func addedTokensMatchLongestFirst() throws {
        let added = Self.added([("<a>", #""special": true, "normalized": false"#), ("<a><b>", #""special": true, "normalized": false"#)])
        let t = try Tiny.tokenizer(Tiny.json(model: Self.hello, preTokenizer: Tiny.byteLevelPre, added: added))
        let e = t.encode("he<a><b>he<a>")
        #expect(e.tokens == ["he", "<a><b>", "he", "<a>"])
        #expect(e.ids[1] == 257 + 4 && e.ids[3] == 256 + 4)  // ids after the model's vocabulary, in file order
    }

    @Test func addedTokenStripsSpacesAroundIt() throws {
        let added = Self.added([("<m>", #""special": true, "normalized": false, "lstrip": true, "rstrip": true"#)])
        let t = try Tiny.tokenizer(Tiny.json(model: Self.hello, preTokenizer: Tiny.byteLevelPre, added: added))
        let e = t.encode("he  <m>  he")
        #expect(e.tokens == ["he", "  <m>  ", "he"])
        #expect(e.offsets == [0..<2, 2..<9, 9..<11])
    }

    @Test func singleWordAddedTokenNeedsWordBoundaries() throws {
        let added = Self.added([("he", #""special": false, "normalized": false, "single_word": true"#)])
        let t = try Tiny.tokenizer(Tiny.json(model: Tiny.byteLevelModel(merges: []), preTokenizer: Tiny.byteLevelPre, added: added))
        #expect(t.encode("he hey").tokens == ["he", "Ġ", "h", "e", "y"])
    }

    @Test func normalizedAddedTokenMatchesTheNormalizedText() throws {
        let added = Self.added([("HEY", #""special": false, "normalized": true"#)])
        let t = try Tiny.tokenizer(
            Tiny.json(model: Tiny.byteLevelModel(merges: []), normalizer: #"{"type": "Lowercase"}"#, preTokenizer: Tiny.byteLevelPre, added: added))
        #expect(t.encode("xHeY").tokens == ["x", "hey"])
        #expect(t.decode(t.encode("xHeY").ids) == "x hey")  // the normalized form, joined by spaces without a decoder
    }

    @Test func decodeSkipsOnlySpecialTokens() throws {
        let added = Self.added([("<s>", #""special": true, "normalized": false"#), ("<t>", #""special": false, "normalized": false"#)])
        let t = try Tiny.tokenizer(Tiny.json(model: Self.hello, preTokenizer: Tiny.byteLevelPre, decoder: #"{"type": "ByteLevel"}"#, added: added))
        let ids = t.encode("<s>hello<t>").ids
        #expect(t.decode(ids, skipSpecialTokens: true) == "hello<t>")
        #expect(t.decode(ids, skipSpecialTokens: false) == "<s>hello<t>")
    }

    @Test func templateProcessingSingleAndPair() throws {
        let post = """
            {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<s>", "type_id": 1}},
             {"Sequence": {"id": "B", "type_id": 1}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [7], "tokens": ["<s>"]}}}
            """
        let t = try Tiny.tokenizer(Tiny.json(model: Self.hello, preTokenizer: Tiny.byteLevelPre, postProcessor: post))
        #expect(t.encode("he").ids.first == 7)
        #expect(t.encode("he", addSpecialTokens: false).ids.count == 1)
        let p = t.encode("he", pair: "l")
        #expect(p.tokens == ["<s>", "he", "<s>", "l"] && p.typeIds == [0, 0, 1, 1] && p.offsets == [0..<0, 0..<2, 0..<0, 0..<1])
    }

    @Test func bertAndRobertaProcessingPairs() throws {
        let bert = #"{"type": "BertProcessing", "sep": ["</s>", 2], "cls": ["<s>", 1]}"#
        let t = try Tiny.tokenizer(Tiny.json(model: Self.hello, preTokenizer: Tiny.byteLevelPre, postProcessor: bert))
        let b = t.encode("he", pair: "l")
        #expect(b.ids == [1, 256, 2, 108, 2] && b.typeIds == [0, 0, 0, 1, 1])
        let roberta = #"{"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 1], "trim_offsets": false, "add_prefix_space": false}"#
        let r = try Tiny.tokenizer(Tiny.json(model: Self.hello, preTokenizer: Tiny.byteLevelPre, postProcessor: roberta)).encode("he", pair: "l")
        #expect(r.ids == [1, 256, 2, 2, 108, 2] && r.typeIds == [0, 0, 0, 0, 0, 0])
    }

    @Test func byteLevelPostProcessorTrimsSpacesFromOffsets() throws {
        let post = #"{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true}"#
        let t = try Tiny.tokenizer(Tiny.json(model: Self.hello, preTokenizer: Tiny.byteLevelPre, postProcessor: post))
        let e = t.encode("he  he")
        #expect(e.tokens == ["he", "Ġ", "Ġ", "he"])
        #expect(e.offsets == [0..<2, 3..<3, 4..<4, 4..<6])
    }

    @Test func decoders() {
        #expect(Decoder.metaspace(replacement: 0x2581, stripFirst: true).decode(["▁Hey", "▁▁friend"]) == "Hey  friend")
        #expect(Decoder.bpe(suffix: "</w>").decode(["he</w>", "llo</w>"]) == "he llo")
        #expect(Decoder.strip(content: 0x20, start: 1, stop: 0).decode([" a", "  b"]) == "a b")
        #expect(Decoder.byteFallback.decode(["<0xE2>", "<0x82>", "x", "<0xE2>", "<0x82>", "<0xAC>"]) == "\u{FFFD}\u{FFFD}x€")
        // Cleanup works token by token: " do" and " not" are two tokens, " ." loses its space.
        #expect(Decoder.wordPiece(prefix: "##", cleanup: true).decode(["i", "do", "not", "##e", "."]) == "i do note.")
        #expect(Decoder.byteLevel.decode(["Ġh", "é", "<|x|>"]) == " h\u{FFFD}<|x|>")
    }

    @Test func characterOffsetsCountScalars() {
        let e = Encoding(ids: [1, 2, 3], tokens: ["a", "b", "c"], offsets: [0..<1, 1..<3, 3..<7], typeIds: [0, 0, 0])
        #expect(e.characterOffsets(in: "aé😀") == [0..<1, 1..<2, 2..<3])
    }
}
