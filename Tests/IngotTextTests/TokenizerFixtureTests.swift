import Testing

@testable import IngotText

/// Every corpus string through each trained tokenizer against what Hugging Face `tokenizers` 0.23.3 produced.
@Suite struct TokenizerFixtureTests {
    static let kinds = ["gpt2", "roberta", "llama3", "qwen2", "sp", "sp-metaspace", "wordpiece", "misc"]

    /// Describes the first few failing strings (a whole-corpus test would otherwise print thousands of lines).
    struct Failures {
        var count = 0
        var lines: [String] = []
        mutating func add(_ s: String, _ what: String) {
            count += 1
            if lines.count < 8 { lines.append("\(what) for \(String(reflecting: s).prefix(120))") }
        }
        var report: Comment { Comment(rawValue: "\(count) failures:\n" + lines.joined(separator: "\n")) }
    }

    @Test(arguments: kinds) func idsAndOffsetsWithSpecialTokens(kind: String) throws {
        let tok = try TextFixtures.tokenizer(kind)
        let (_, cases, _) = try TextFixtures.cases(kind)
        #expect(cases.count == TextFixtures.corpus.count && cases.count >= 2000)
        var f = Failures()
        for (s, c) in zip(TextFixtures.corpus, cases) {
            let e = tok.encode(s, addSpecialTokens: true)
            if e.ids != c.ids { f.add(s, "ids \(e.ids) != \(c.ids)"); continue }
            if e.offsets != c.offsets { f.add(s, "offsets \(e.offsets) != \(c.offsets)") }
        }
        #expect(f.count == 0, f.report)
    }

    @Test(arguments: kinds) func idsAndOffsetsWithoutSpecialTokens(kind: String) throws {
        let tok = try TextFixtures.tokenizer(kind)
        var f = Failures()
        for (s, c) in zip(TextFixtures.corpus, try TextFixtures.cases(kind).cases) {
            let e = tok.encode(s, addSpecialTokens: false)
            let keep = c.ids.indices.filter { !c.added.contains($0) }
            let ids = c.plainIDs ?? keep.map { c.ids[$0] }
            if e.ids != ids { f.add(s, "ids \(e.ids) != \(ids)"); continue }
            if c.plainIDs == nil && e.offsets != keep.map({ c.offsets[$0] }) { f.add(s, "offsets \(e.offsets)") }
        }
        #expect(f.count == 0, f.report)
    }

    @Test(arguments: kinds) func tokenStrings(kind: String) throws {
        let tok = try TextFixtures.tokenizer(kind)
        var f = Failures()
        for (s, c) in zip(TextFixtures.corpus, try TextFixtures.cases(kind).cases) {
            let e = tok.encode(s)
            guard e.ids == c.ids else { continue }  // reported by the ids test
            for (i, id) in e.ids.enumerated() {
                let want = c.tokens[i] ?? tok.token(of: id) ?? "?"
                if e.tokens[i] != want { f.add(s, "token \(i) \(String(reflecting: e.tokens[i])) != \(String(reflecting: want))") }
            }
        }
        #expect(f.count == 0, f.report)
    }

    @Test(arguments: kinds) func decodeSkippingSpecialTokens(kind: String) throws {
        let tok = try TextFixtures.tokenizer(kind)
        var f = Failures()
        for (s, c) in zip(TextFixtures.corpus, try TextFixtures.cases(kind).cases) {
            let d = tok.decode(c.ids, skipSpecialTokens: true)
            if !sameScalarsTest(d, c.decoded) { f.add(s, "decode \(String(reflecting: d)) != \(String(reflecting: c.decoded))") }
        }
        #expect(f.count == 0, f.report)
    }

    /// Byte-level BPE and byte-fallback SentencePiece lose nothing: decode(encode(s)) == s.
    @Test(arguments: kinds) func roundTrip(kind: String) throws {
        let tok = try TextFixtures.tokenizer(kind)
        let (lossless, cases, _) = try TextFixtures.cases(kind)
        guard lossless else { return }
        var f = Failures()
        for (s, c) in zip(TextFixtures.corpus, cases) where !c.noRoundTrip {
            let d = tok.decode(tok.encode(s, addSpecialTokens: false).ids, skipSpecialTokens: false)
            if !sameScalarsTest(d, s) { f.add(s, "round trip \(String(reflecting: d))") }
        }
        #expect(f.count == 0, f.report)
    }

    @Test(arguments: ["wordpiece", "roberta", "misc"]) func pairs(kind: String) throws {
        let tok = try TextFixtures.tokenizer(kind)
        let pairs = try TextFixtures.cases(kind).pairs
        #expect(pairs.count == 200)
        var f = Failures()
        for p in pairs {
            let (i, j) = (Int(p["i"]?.intValue ?? 0), Int(p["j"]?.intValue ?? 0))
            let e = tok.encode(TextFixtures.corpus[i], pair: TextFixtures.corpus[j])
            let flat = TextFixtures.ints(p["o"])
            let offsets = stride(from: 0, to: flat.count - 1, by: 2).map { flat[$0]..<flat[$0 + 1] }
            if e.ids != TextFixtures.ints(p["a"]) || e.offsets != offsets || e.typeIds != TextFixtures.ints(p["y"]) {
                f.add(TextFixtures.corpus[i], "pair \(i)")
            }
        }
        #expect(f.count == 0, f.report)
    }
}

/// Byte equality (Swift's == would equate canonically equivalent strings).
func sameScalarsTest(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }
