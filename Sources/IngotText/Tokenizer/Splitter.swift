/// Finds matches in a piece and cuts it the way tokenizers' `NormalizedString::split` does for each
/// `SplitBehavior`.
enum Splitter {
    struct Match {
        var lo: Int
        var hi: Int
        var isMatch: Bool
    }

    static func regex(
        _ scanner: SplitScanner, _ piece: Piece, _ buf: TextBuffer, _ behavior: SplitBehavior, invert: Bool,
        _ out: inout [Piece]
    ) {
        guard !piece.isEmpty else { return }
        if behavior == .isolated {
            // Every match is a piece whatever `invert` says: the fast path of every byte-level tokenizer.
            buf.bytes.withUnsafeBufferPointer { p in
                scanner.scan(p, Int(piece.lo), Int(piece.hi)) { a, b in out.append(buf.slice(a, b)) }
            }
            return
        }
        var matches: [Match] = []
        buf.bytes.withUnsafeBufferPointer { p in
            scanner.scan(p, Int(piece.lo), Int(piece.hi)) { a, b in matches.append(Match(lo: a, hi: b, isMatch: !invert)) }
        }
        cut(matches, behavior, buf, &out)
    }

    static func literal(
        _ pattern: [UInt8], _ piece: Piece, _ buf: TextBuffer, _ behavior: SplitBehavior, invert: Bool,
        _ out: inout [Piece]
    ) {
        guard !piece.isEmpty else { return }
        var matches: [Match] = []
        var i = Int(piece.lo)
        let hi = Int(piece.hi)
        while let at = Normalizer.find(pattern, in: buf, i, hi) {
            if at > i { matches.append(Match(lo: i, hi: at, isMatch: invert)) }
            matches.append(Match(lo: at, hi: at + pattern.count, isMatch: !invert))
            i = at + pattern.count
        }
        if i < hi { matches.append(Match(lo: i, hi: hi, isMatch: invert)) }
        cut(matches, behavior, buf, &out)
    }

    /// Each character for which `test` holds is a match of its own.
    static func chars(
        _ piece: Piece, _ buf: TextBuffer, _ behavior: SplitBehavior, _ out: inout [Piece], _ test: (UInt32) -> Bool
    ) {
        guard !piece.isEmpty else { return }
        var matches: [Match] = []
        buf.bytes.withUnsafeBufferPointer { p in
            var last = Int(piece.lo)
            var i = last
            while i < Int(piece.hi) {
                let (c, n) = UTF8Scan.decode(p, i)
                if test(c) {
                    if last < i { matches.append(Match(lo: last, hi: i, isMatch: false)) }
                    matches.append(Match(lo: i, hi: i + n, isMatch: true))
                    last = i + n
                }
                i += n
            }
            if last < Int(piece.hi) { matches.append(Match(lo: last, hi: Int(piece.hi), isMatch: false)) }
        }
        cut(matches, behavior, buf, &out)
    }

    /// The Whitespace pre-tokenizer: runs of `\w+` or `[^\w\s]+` are kept, whitespace between them removed.
    static func words(_ piece: Piece, _ buf: TextBuffer, _ out: inout [Piece]) {
        buf.bytes.withUnsafeBufferPointer { p in
            var i = Int(piece.lo)
            let hi = Int(piece.hi)
            while i < hi {
                let (c, n) = UTF8Scan.decode(p, i)
                let f = UnicodeTables.flags(c)
                if f & CharClass.word == 0 && f & CharClass.whitespace != 0 {
                    i += n
                    continue
                }
                let isWord = f & CharClass.word != 0
                var j = i + n
                while j < hi {
                    let (d, m) = UTF8Scan.decode(p, j)
                    let g = UnicodeTables.flags(d)
                    let same = isWord ? g & CharClass.word != 0 : g & (CharClass.word | CharClass.whitespace) == 0
                    if !same { break }
                    j += m
                }
                out.append(buf.slice(i, j))
                i = j
            }
        }
    }

    /// Applies a behavior to a list of matches and non-matches (tokenizers' fold for each behavior).
    static func cut(_ matches: [Match], _ behavior: SplitBehavior, _ buf: TextBuffer, _ out: inout [Piece]) {
        var ranges: [Match] = []  // isMatch here means "remove"
        ranges.reserveCapacity(matches.count)
        switch behavior {
        case .isolated: ranges = matches.map { Match(lo: $0.lo, hi: $0.hi, isMatch: false) }
        case .removed: ranges = matches
        case .contiguous:
            var previous = false
            for m in matches {
                if m.isMatch == previous, !ranges.isEmpty {
                    ranges[ranges.count - 1].hi = m.hi
                } else {
                    ranges.append(Match(lo: m.lo, hi: m.hi, isMatch: false))
                }
                previous = m.isMatch
            }
        case .mergedWithPrevious:
            var previous = false
            for m in matches {
                if m.isMatch && !previous, !ranges.isEmpty {
                    ranges[ranges.count - 1].hi = m.hi
                } else {
                    ranges.append(Match(lo: m.lo, hi: m.hi, isMatch: false))
                }
                previous = m.isMatch
            }
        case .mergedWithNext:
            var previous = false
            for m in matches.reversed() {
                if m.isMatch && !previous, !ranges.isEmpty {
                    ranges[ranges.count - 1].lo = m.lo
                } else {
                    ranges.append(Match(lo: m.lo, hi: m.hi, isMatch: false))
                }
                previous = m.isMatch
            }
            ranges.reverse()
        }
        for r in ranges where !r.isMatch && r.lo < r.hi { out.append(buf.slice(r.lo, r.hi)) }
    }
}
