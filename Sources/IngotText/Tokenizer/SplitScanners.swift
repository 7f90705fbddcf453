/// Hand-written scanners for the split regexes that byte-level BPE tokenizers use, each equal to what Oniguruma
/// finds for the pattern (leftmost-first alternation with backtracking), recognised by comparing pattern strings.
/// A regex engine would be slower and would accept patterns nobody has checked; an unknown pattern is an error.
enum SplitScanner: Sendable, Equatable {
    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2
    /// Llama-3 (`maxDigits` 3) and Qwen2 (`maxDigits` 1): `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|
    /// \p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case llama3(maxDigits: Int)

    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Pattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Pattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The scanner for a pattern string, or nil when it is not one of the known ones.
    init?(pattern: String) {
        switch pattern {
        case Self.gpt2Pattern: self = .gpt2
        case Self.llama3Pattern: self = .llama3(maxDigits: 3)
        case Self.qwen2Pattern: self = .llama3(maxDigits: 1)
        default: return nil
        }
    }

    /// Calls `emit(start, end)` for every match in bytes [lo, hi) (these patterns match every character, so the
    /// matches tile the range).
    func scan(_ p: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, _ emit: (Int, Int) -> Void) {
        var i = lo
        while i < hi {
            let end: Int
            switch self {
            case .gpt2: end = Self.gpt2Match(p, i, hi)
            case let .llama3(maxDigits): end = Self.llama3Match(p, i, hi, maxDigits)
            }
            emit(i, end)
            i = end
        }
    }

    private typealias Scan = SplitScanner

    @inline(__always) private static func at(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int, UInt16) {
        let (c, n) = UTF8Scan.decode(p, i)
        return (c, n, UnicodeTables.flags(c))
    }

    /// End of the run of characters (from `i`) whose flags satisfy `test`.
    @inline(__always)
    private static func run(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ hi: Int, _ test: (UInt16) -> Bool) -> Int {
        var j = i
        while j < hi {
            let (_, n, f) = at(p, j)
            if !test(f) { break }
            j += n
        }
        return j
    }

    @inline(__always) private static func isL(_ f: UInt16) -> Bool { f & CharClass.letter != 0 }
    @inline(__always) private static func isN(_ f: UInt16) -> Bool { f & CharClass.number != 0 }
    @inline(__always) private static func isS(_ f: UInt16) -> Bool { f & CharClass.space != 0 }
    /// `[^\s\p{L}\p{N}]`
    @inline(__always) private static func isOther(_ f: UInt16) -> Bool {
        f & (CharClass.letter | CharClass.number | CharClass.space) == 0
    }

    /// Length after the apostrophe at `i` of `s|t|re|ve|m|ll|d`, case-insensitive with Unicode folding (ſ is s).
    private static func contraction(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ hi: Int, ignoreCase: Bool) -> Int? {
        guard i < hi else { return nil }
        let (c, n) = UTF8Scan.decode(p, i)
        func lower(_ c: UInt32) -> UInt32 { ignoreCase && c >= 0x41 && c <= 0x5A ? c + 0x20 : c }
        let a = lower(c)
        if a == 0x73 || a == 0x74 || a == 0x6D || a == 0x64 { return n }  // s t m d
        if ignoreCase && c == 0x17F { return n }  // ſ folds to s
        guard i + n < hi else { return nil }
        let b = lower(UInt32(p[i + n]))
        if (a == 0x72 || a == 0x76) && b == 0x65 { return n + 1 }  // re ve
        if a == 0x6C && b == 0x6C { return n + 1 }  // ll
        return nil
    }

    /// `\s+(?!\S)|\s+` from a whitespace character at `i`.
    private static func spaces(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ hi: Int) -> Int {
        var j = i
        var last = i
        while j < hi {
            let (_, n, f) = at(p, j)
            if !isS(f) { break }
            last = j
            j += n
        }
        if j == hi || last == i { return j }
        return last  // give back the last space so that it can lead the next word
    }

    private static func gpt2Match(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ hi: Int) -> Int {
        let (c, _, f) = at(p, i)
        if c == 0x27, let m = contraction(p, i + 1, hi, ignoreCase: false) { return i + 1 + m }
        if c == 0x20 && i + 1 < hi {  // ` ?` then a letter, number or other run
            let (_, _, f2) = at(p, i + 1)
            if isL(f2) { return run(p, i + 1, hi, isL) }
            if isN(f2) { return run(p, i + 1, hi, isN) }
            if isOther(f2) { return run(p, i + 1, hi, isOther) }
            return spaces(p, i, hi)
        }
        if isL(f) { return run(p, i, hi, isL) }
        if isN(f) { return run(p, i, hi, isN) }
        if isOther(f) { return run(p, i, hi, isOther) }
        return spaces(p, i, hi)
    }

    private static func llama3Match(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ hi: Int, _ maxDigits: Int) -> Int {
        let (c, n, f) = at(p, i)
        if c == 0x27, let m = contraction(p, i + 1, hi, ignoreCase: true) { return i + 1 + m }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if isL(f) { return run(p, i, hi, isL) }
        if c != 0x0A && c != 0x0D && !isN(f) && i + n < hi {
            let (_, _, f2) = at(p, i + n)
            if isL(f2) { return run(p, i + n, hi, isL) }
        }
        // \p{N}{1,maxDigits}
        if isN(f) {
            var j = i
            var count = 0
            while j < hi && count < maxDigits {
                let (_, m, g) = at(p, j)
                if !isN(g) { break }
                j += m
                count += 1
            }
            return j
        }
        //  ?[^\s\p{L}\p{N}]+[\r\n]*
        var k = -1
        if isOther(f) {
            k = i
        } else if c == 0x20 && i + 1 < hi {
            let (_, _, f2) = at(p, i + 1)
            if isOther(f2) { k = i + 1 }
        }
        if k >= 0 {
            var j = run(p, k, hi, isOther)
            while j < hi && (p[j] == 0x0A || p[j] == 0x0D) { j += 1 }
            return j
        }
        // \s*[\r\n]+ : through the last newline of the whitespace run
        var j = i
        var lastNewline = -1
        while j < hi {
            let (d, m, g) = at(p, j)
            if !isS(g) { break }
            if d == 0x0A || d == 0x0D { lastNewline = j }
            j += m
        }
        if lastNewline >= 0 { return lastNewline + 1 }
        return spaces(p, i, hi)
    }
}
