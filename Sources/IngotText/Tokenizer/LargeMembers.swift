/// The two large members of a tokenizer.json — `model.vocab` (often 150k keys) and `model.merges` — read straight
/// into Ingot's tables instead of through a JSONValue tree (which costs ~300k String allocations and hashes).
/// Everything else still goes through IngotFormat's JSONParser: the members are located, parsed here with the
/// same strictness (UTF-8 validated, escapes decoded, duplicate keys rejected, integers exact) and replaced by
/// `{}` / `[]` padded with spaces, so the parser sees the rest of the document at its original offsets.
enum LargeMembers {
    struct Located {
        var vocab: Range<Int>
        var merges: Range<Int>?
    }

    /// Where `model.vocab` and `model.merges` are, or nil when the document is not shaped simply enough (the
    /// caller then parses everything with JSONParser, which also reports any syntax error).
    static func locate(_ p: UnsafeBufferPointer<UInt8>) -> Located? {
        var i = skipSpace(p, 0)
        guard i < p.count, p[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        var found: Located? = nil
        while true {
            i = skipSpace(p, i)
            guard i < p.count else { return nil }
            if p[i] == UInt8(ascii: "}") { return found }
            guard let keyEnd = skipString(p, i) else { return nil }
            let isModel = keyEnd - i == 7 && equal(p, i + 1, "model")
            i = skipSpace(p, keyEnd)
            guard i < p.count, p[i] == UInt8(ascii: ":") else { return nil }
            i = skipSpace(p, i + 1)
            if isModel {
                guard found == nil, let (end, l) = locateInModel(p, i) else { return nil }
                found = l
                i = end
            } else {
                guard let end = skipValue(p, i, depth: 0) else { return nil }
                i = end
            }
            i = skipSpace(p, i)
            guard i < p.count else { return nil }
            if p[i] == UInt8(ascii: ",") { i += 1 }
        }
    }

    private static func locateInModel(_ p: UnsafeBufferPointer<UInt8>, _ start: Int) -> (Int, Located)? {
        guard start < p.count, p[start] == UInt8(ascii: "{") else { return nil }
        var i = start + 1
        var vocab: Range<Int>? = nil
        var merges: Range<Int>? = nil
        while true {
            i = skipSpace(p, i)
            guard i < p.count else { return nil }
            if p[i] == UInt8(ascii: "}") { break }
            guard let keyEnd = skipString(p, i) else { return nil }
            let isVocab = keyEnd - i == 7 && equal(p, i + 1, "vocab")
            let isMerges = keyEnd - i == 8 && equal(p, i + 1, "merges")
            i = skipSpace(p, keyEnd)
            guard i < p.count, p[i] == UInt8(ascii: ":") else { return nil }
            i = skipSpace(p, i + 1)
            guard let end = skipValue(p, i, depth: 1) else { return nil }
            if isVocab { vocab = i..<end }
            if isMerges { merges = i..<end }
            i = skipSpace(p, end)
            guard i < p.count else { return nil }
            if p[i] == UInt8(ascii: ",") { i += 1 }
        }
        guard let vocab, p[vocab.lowerBound] == UInt8(ascii: "{") else { return nil }
        if let m = merges, p[m.lowerBound] != UInt8(ascii: "[") { return nil }
        return (i + 1, Located(vocab: vocab, merges: merges))
    }

    private static func equal(_ p: UnsafeBufferPointer<UInt8>, _ at: Int, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard at + n <= p.count else { return false }
        let q = UnsafeBufferPointer(start: s.utf8Start, count: n)
        for k in 0..<n where p[at + k] != q[k] { return false }
        return true
    }

    @inline(__always) static func skipSpace(_ p: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var i = start
        while i < p.count, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
        return i
    }

    /// End of the string starting at `i` (its opening quote), without validating it.
    private static func skipString(_ p: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        guard start < p.count, p[start] == UInt8(ascii: "\"") else { return nil }
        var i = start + 1
        while i < p.count {
            if p[i] == UInt8(ascii: "\\") {
                i += 2
            } else if p[i] == UInt8(ascii: "\"") {
                return i + 1
            } else {
                i += 1
            }
        }
        return nil
    }

    /// End of any value starting at `i`, without validating it; nil past the depth cap or at a premature end.
    private static func skipValue(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, depth: Int) -> Int? {
        guard start < p.count else { return nil }
        switch p[start] {
        case UInt8(ascii: "\""): return skipString(p, start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var i = start + 1
            var level = 1
            while i < p.count {
                switch p[i] {
                case UInt8(ascii: "\""):
                    guard let e = skipString(p, i) else { return nil }
                    i = e
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    level += 1
                    if level + depth > 64 { return nil }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    level -= 1
                    if level == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return nil
        default:
            var i = start
            while i < p.count, !",}] \n\r\t".utf8.contains(p[i]) { i += 1 }
            return i
        }
    }

    /// The document with both members replaced by empty ones of the same length.
    static func blanked(_ bytes: [UInt8], _ l: Located) -> [UInt8] {
        var out = bytes
        for (r, empty) in [(l.vocab, "{}"), (l.merges, "[]")] {
            guard let r else { continue }
            for k in r { out[k] = 0x20 }
            let e = Array(empty.utf8)
            out[r.lowerBound] = e[0]
            out[r.lowerBound + 1] = e[1]
        }
        return out
    }
}
