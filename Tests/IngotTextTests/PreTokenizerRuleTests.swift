import Testing

@testable import IngotText

/// One test per splitting rule; expected pieces are what tokenizers 0.23.3 gives for the same pattern.
@Suite struct PreTokenizerRuleTests {
    let gpt2 = PreTokenizer.split(.regex(.gpt2), .isolated, invert: false)
    let llama3 = PreTokenizer.split(.regex(.llama3(maxDigits: 3)), .isolated, invert: false)
    let qwen2 = PreTokenizer.split(.regex(.llama3(maxDigits: 1)), .isolated, invert: false)

    @Test func gpt2ContractionsAreCaseSensitive() {
        #expect(Tiny.pieces(gpt2, "it's IT'S we'll") == ["it", "'s", " IT", "'", "S", " we", "'ll"])
    }

    @Test func gpt2SpaceJoinsTheFollowingRun() {
        #expect(Tiny.pieces(gpt2, "a 12 !? b") == ["a", " 12", " !?", " b"])
    }

    @Test func gpt2SpacesGiveBackTheLastOneToTheNextWord() {
        #expect(Tiny.pieces(gpt2, "a   b\t\tc  ") == ["a", "  ", " b", "\t", "\t", "c", "  "])
    }

    @Test func llama3ContractionsIgnoreCaseIncludingLongS() {
        #expect(Tiny.pieces(llama3, "x'Sa x'ſa x'LLa") == ["x", "'S", "a", " x", "'ſ", "a", " x", "'LL", "a"])
    }

    @Test func llama3PunctuationOrSpaceLeadsALetterRun() {
        #expect(Tiny.pieces(llama3, ".abc \tdef ,g") == [".abc", " ", "\tdef", " ,", "g"])
    }

    @Test func llama3NumbersInThrees() {
        #expect(Tiny.pieces(llama3, "1234567") == ["123", "456", "7"])
    }

    @Test func qwen2NumbersOneByOne() {
        #expect(Tiny.pieces(qwen2, "x2024") == ["x", "2", "0", "2", "4"])
    }

    @Test func llama3NewlinesEndTheWhitespaceRun() {
        #expect(Tiny.pieces(llama3, "a \n\n b") == ["a", " \n\n", " b"])
        #expect(Tiny.pieces(llama3, "a  \t\n x") == ["a", "  \t\n", " x"])
    }

    @Test func llama3SymbolsTakeTrailingNewlines() {
        #expect(Tiny.pieces(llama3, "a;\n\nb") == ["a", ";\n\n", "b"])
    }

    @Test func unicodeClassesFollowOniguruma() {
        // U+00AA and U+02B0 are letters, U+0660 a digit, U+3000 a space, U+00A0 a space too.
        #expect(Tiny.pieces(gpt2, "\u{AA}\u{2B0}\u{660}x\u{3000}y") == ["\u{AA}\u{2B0}", "\u{660}", "x", "\u{3000}", "y"])
    }

    @Test func byteLevelAddsAPrefixSpace() {
        #expect(Tiny.pieces(.byteLevel(addPrefixSpace: true, useRegex: true), "hi there") == [" hi", " there"])
        #expect(Tiny.pieces(.byteLevel(addPrefixSpace: true, useRegex: true), " hi") == [" hi"])
    }

    @Test func digitsIndividualOrContiguous() {
        #expect(Tiny.pieces(.digits(individual: true), "a12b") == ["a", "1", "2", "b"])
        #expect(Tiny.pieces(.digits(individual: false), "a12b") == ["a", "12", "b"])
    }

    @Test func bertSplitsWhitespaceAndPunctuation() {
        #expect(Tiny.pieces(.bert, "Hey, you!  ok$") == ["Hey", ",", "you", "!", "ok", "$"])
    }

    @Test func whitespaceKeepsWordAndSymbolRuns() {
        #expect(Tiny.pieces(.whitespace, "Hey man!! it's") == ["Hey", "man", "!!", "it", "'", "s"])
    }

    @Test func metaspaceReplacesAndPrependsPerScheme() {
        let always = PreTokenizer.metaspace(replacement: 0x2581, scheme: .always, split: true)
        #expect(Tiny.pieces(always, "Hey friend") == ["▁Hey", "▁friend"])
        let first = PreTokenizer.metaspace(replacement: 0x2581, scheme: .first, split: false)
        #expect(Tiny.pieces(first, "Hey friend") == ["▁Hey▁friend"])
        let never = PreTokenizer.metaspace(replacement: 0x2581, scheme: .never, split: true)
        #expect(Tiny.pieces(never, "Hey friend") == ["Hey", "▁friend"])
    }

    @Test func splitBehaviors() {
        let text = "the-final--countdown"
        func split(_ b: SplitBehavior) -> [String] { Tiny.pieces(.split(.literal([0x2D]), b, invert: false), text) }
        #expect(split(.removed) == ["the", "final", "countdown"])
        #expect(split(.isolated) == ["the", "-", "final", "-", "-", "countdown"])
        #expect(split(.mergedWithPrevious) == ["the-", "final-", "-", "countdown"])
        #expect(split(.mergedWithNext) == ["the", "-final", "-", "-countdown"])
        #expect(split(.contiguous) == ["the", "-", "final", "--", "countdown"])
    }

    @Test func punctuationUsesBERTClasses() {
        // ASCII symbols count as punctuation for BERT; U+00B4 (a symbol outside ASCII) does not.
        #expect(Tiny.pieces(.punctuation(.isolated), "a+b\u{B4}c") == ["a", "+", "b\u{B4}c"])
    }
}
