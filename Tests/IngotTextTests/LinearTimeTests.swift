import Testing

@testable import IngotText

/// No input makes encoding super-linear: a 1 MB word and 1 MB of spaces finish quickly and give the ids a
/// reference gives.
@Suite struct LinearTimeTests {
    /// A letter whose token never merges with itself, and the tokens of two of them: a run of n of it must be
    /// those tokens followed by one token per further letter (no merge joins two of them; the run of three shows
    /// it).
    func selfInert(_ tok: Tokenizer, _ candidates: [String]) -> (String, [Int])? {
        for c in candidates {
            let two = tok.encode(c + c, addSpecialTokens: false).ids
            guard let t = two.last else { continue }
            if tok.encode(c + c + c, addSpecialTokens: false).ids == two + [t] { return (c, two) }
        }
        return nil
    }

    @Test(arguments: ["gpt2", "sp"]) func megabyteWordOfOneLetter(kind: String) throws {
        let tok = try TextFixtures.tokenizer(kind)
        let (c, two) = try #require(selfInert(tok, ["ж", "ß", "q", "ž", "ω", "ק", "ก", "ä"]))
        let n = 1_000_000 / c.utf8.count
        let e = tok.encode(String(repeating: c, count: n), addSpecialTokens: false)
        // Chunked reference: after the first letter, one token per letter.
        let want = Array(two.dropLast()) + Array(repeatElement(two[two.count - 1], count: n - 1))
        #expect(e.ids == want, "\(e.ids.count) tokens, \(want.count) expected")
        #expect(e.offsets.last == (n - 1) * c.utf8.count..<n * c.utf8.count)
    }

    @Test(arguments: ["gpt2", "llama3", "wordpiece"]) func megabyteOfSpaces(kind: String) throws {
        let tok = try TextFixtures.tokenizer(kind)
        let e = tok.encode(String(repeating: " ", count: 1_000_000), addSpecialTokens: false)
        // Chunked reference: a run of spaces is the same tokens every 1,000 spaces.
        let chunk = tok.encode(String(repeating: " ", count: 1000), addSpecialTokens: false).ids
        #expect(e.ids == Array(repeatElement(chunk, count: 1000).joined()), "\(e.ids.count) tokens")
    }

    @Test func megabyteOfSpacesThroughSentencePiece() throws {
        let tok = try TextFixtures.tokenizer("sp")
        let spaces = String(repeating: " ", count: 1_000_000)
        let e = tok.encode(spaces, addSpecialTokens: false)
        #expect(tok.decode(e.ids, skipSpecialTokens: false) == spaces)
    }

    /// A 100,000-letter word of varied letters through the heap BPE equals a straightforward quadratic BPE on its first
    /// 1,500 bytes, and the whole word finishes (the heap keeps it O(n log n)).
    @Test func megabyteVariedWordMatchesQuadraticReference() throws {
        let tok = try TextFixtures.tokenizer("gpt2")
        guard case let .bpe(model) = tok.model else { return }
        var rng = SplitMix(seed: 9)
        let letters = Array("abcdefghijklmnopqrstuvwxyzéèñ".unicodeScalars)
        var word = String.UnicodeScalarView()
        while word.count < 100_000 { word.append(letters[Int(rng.next() % UInt64(letters.count))]) }
        let text = String(word)
        let e = tok.encode(text, addSpecialTokens: false)
        #expect(tok.decode(e.ids) == text)
        let head = Array(text.utf8.prefix(1500))
        var ours: [Int32] = []
        head.withUnsafeBufferPointer { model.tokenize($0, 0, $0.count, into: &ours) }
        #expect(stride(from: 0, to: ours.count, by: 2).map { Int(ours[$0]) } == model.referenceTokenize(head))
    }
}

/// A small deterministic generator (the tests must not depend on the system's random numbers).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
