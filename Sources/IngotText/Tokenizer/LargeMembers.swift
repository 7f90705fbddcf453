/// The two large members of a tokenizer.json — `model.vocab` (often 150k keys) and `model.merges` — read straight
/// into Ingot's tables instead of through a JSONValue tree (which costs ~300k String allocations and hashes).
/// Everything else still goes through IngotFormat's JSONParser: the members are parsed here with the same
/// strictness (UTF-8 validated, escapes decoded, exact integers; duplicate tokens are rejected by `Vocabulary`) and
/// cut out of the document, leaving `{}` / `[]` in their place for the parser.
enum LargeMembers {
    struct Read {
        var vocab: [(String, Int64)]
        var merges: MergeList?
        /// The document without the two members.
        var rest: [UInt8]
        /// (offset in `rest`, bytes removed before it), to report parser errors at offsets of the original.
        var cuts: [(Int, Int)]

        func originalOffset(_ offset: Int) -> Int {
            var shift = 0
            for (at, removed) in cuts where offset >= at { shift = removed }
            return offset + shift
        }
    }

    /// The members parsed and cut out, or nil when the document is not shaped simply enough to find them (the
    /// caller then parses everything with JSONParser, which also reports any syntax error).
    static func read(_ bytes: [UInt8]) throws(TokenizerError) -> Read? {
        let found: (vocab: Range<Int>, entries: [(String, Int64)], merges: (Range<Int>, MergeList)?)?
        found = try bytes.withUnsafeBufferPointer { p throws(TokenizerError) in try locate(p) }
        guard let found else { return nil }
        var cuts: [Range<Int>] = [found.vocab]
        if let m = found.merges { cuts.append(m.0) }
        cuts.sort { $0.lowerBound < $1.lowerBound }
        var rest: [UInt8] = []
        rest.reserveCapacity(bytes.count - cuts.reduce(0) { $0 + $1.count } + 8)
        var at = 0
        var removed = 0
        var map: [(Int, Int)] = []
        for c in cuts {
            rest.append(contentsOf: bytes[at..<c.lowerBound])
            rest.append(contentsOf: (bytes[c.lowerBound] == UInt8(ascii: "{") ? "{}" : "[]").utf8)
            removed += c.count - 2
            map.append((rest.count, removed))
            at = c.upperBound
        }
        rest.append(contentsOf: bytes[at...])
        return Read(vocab: found.entries, merges: found.merges?.1, rest: rest, cuts: map)
    }

    private static func locate(
        _ p: UnsafeBufferPointer<UInt8>
    ) throws(TokenizerError) -> (vocab: Range<Int>, entries: [(String, Int64)], merges: (Range<Int>, MergeList)?)? {
        var i = skipSpace(p, 0)
        guard i < p.count, p[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        var found: (vocab: Range<Int>, entries: [(String, Int64)], merges: (Range<Int>, MergeList)?)? = nil
        while true {
            i = skipSpace(p, i)
            guard i < p.count else { return nil }
            if p[i] == UInt8(ascii: "}") { return found }
            guard let keyEnd = skipString(p, i) else { return nil }
            let isModel = keyEnd - i == 7 && equal(p, i + 1, "model")
            i = skipSpace(p, keyEnd)
            guard i < p.count, p[i] == UInt8(ascii: ":") else { return nil }
            i = skipSpace(p, i + 1)
            if isModel && found == nil {
                guard let (end, l) = try model(p, i) else { return nil }
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

    /// Inside `model`: parses `vocab` (an object) and `merges` (an array) where they are, skips the rest.
    private static func model(
        _ p: UnsafeBufferPointer<UInt8>, _ start: Int
    ) throws(TokenizerError) -> (Int, (vocab: Range<Int>, entries: [(String, Int64)], merges: (Range<Int>, MergeList)?))? {
        guard start < p.count, p[start] == UInt8(ascii: "{") else { return nil }
        var i = start + 1
        var vocab: (Range<Int>, [(String, Int64)])? = nil
        var merges: (Range<Int>, MergeList)? = nil
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
            guard i < p.count else { return nil }
            var end = i
            if isVocab && vocab == nil && p[i] == UInt8(ascii: "{") {
                let entries = try vocabulary(p, i, end: &end)
                vocab = (i..<end, entries)
            } else if isMerges && merges == nil && p[i] == UInt8(ascii: "[") {
                let list = try Self.merges(p, i, end: &end)
                merges = (i..<end, list)
            } else {
                guard let e = skipValue(p, i, depth: 1) else { return nil }
                end = e
            }
            i = skipSpace(p, end)
            guard i < p.count else { return nil }
            if p[i] == UInt8(ascii: ",") { i += 1 }
        }
        guard let vocab else { return nil }
        return (i + 1, (vocab.0, vocab.1, merges))
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
}
