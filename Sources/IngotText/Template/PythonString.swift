/// Python `str` methods on code points (not Swift's grapheme clusters or canonical equivalence), so lengths,
/// indices, splits and comparisons match what jinja2 computes.
enum PythonString {
    /// `str.isspace` / `\s`: the characters Python's `strip()` and `split()` treat as whitespace.
    static func isSpace(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default: return false
        }
    }

    static func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }

    static func string<S: Sequence>(_ scalars: S) -> String where S.Element == Unicode.Scalar {
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }

    static func length(_ s: String) -> Int { s.unicodeScalars.count }

    /// `strip`/`lstrip`/`rstrip`, with `chars` nil meaning whitespace.
    static func strip(_ s: String, _ chars: String?, left: Bool, right: Bool) -> String {
        let set = chars.map { Set($0.unicodeScalars) }
        let strips: (Unicode.Scalar) -> Bool = { u in set.map { $0.contains(u) } ?? isSpace(u) }
        let a = scalars(s)
        var lo = 0
        var hi = a.count
        if left { while lo < hi, strips(a[lo]) { lo += 1 } }
        if right { while hi > lo, strips(a[hi - 1]) { hi -= 1 } }
        return string(a[lo..<hi])
    }

    /// Start offsets of non-overlapping occurrences of `needle` in `hay` (left to right), at most `limit`.
    static func occurrences(_ hay: [Unicode.Scalar], _ needle: [Unicode.Scalar], limit: Int = .max) -> [Int] {
        var found: [Int] = []
        guard !needle.isEmpty else { return Array(0...hay.count).prefix(limit).map { $0 } }
        var i = 0
        while i + needle.count <= hay.count, found.count < limit {
            if hay[i] == needle[0], hay[i..<(i + needle.count)].elementsEqual(needle) {
                found.append(i)
                i += needle.count
            } else {
                i += 1
            }
        }
        return found
    }

    static func contains(_ hay: String, _ needle: String) -> Bool {
        !occurrences(scalars(hay), scalars(needle), limit: 1).isEmpty
    }

    /// `str.split(sep, maxsplit)`; `sep` nil splits on runs of whitespace and drops empty ends.
    static func split(_ s: String, _ sep: String?, maxSplit: Int) -> [String] {
        let a = scalars(s)
        let limit = maxSplit < 0 ? Int.max : maxSplit
        guard let sep else {
            var parts: [String] = []
            var i = 0
            while true {
                while i < a.count, isSpace(a[i]) { i += 1 }
                guard i < a.count else { return parts }
                if parts.count == limit {
                    var end = a.count
                    while end > i, isSpace(a[end - 1]) { end -= 1 }
                    parts.append(string(a[i..<end]))
                    return parts
                }
                var j = i
                while j < a.count, !isSpace(a[j]) { j += 1 }
                parts.append(string(a[i..<j]))
                i = j
            }
        }
        let n = scalars(sep)
        var parts: [String] = []
        var start = 0
        for o in occurrences(a, n, limit: limit) {
            parts.append(string(a[start..<o]))
            start = o + n.count
        }
        parts.append(string(a[start...]))
        return parts
    }

    /// `str.rsplit(sep, maxsplit)`: splits from the right.
    static func rsplit(_ s: String, _ sep: String?, maxSplit: Int) -> [String] {
        let reversed = string(scalars(s).reversed())
        let rsep = sep.map { string(scalars($0).reversed()) }
        return split(reversed, rsep, maxSplit: maxSplit).reversed().map { string(scalars($0).reversed()) }
    }

    /// `str.splitlines(keepends)`: every line boundary Python knows, `\r\n` as one.
    static func splitLines(_ s: String, keepEnds: Bool) -> [String] {
        let a = scalars(s)
        var lines: [String] = []
        var start = 0
        var i = 0
        while i < a.count {
            let v = a[i].value
            if [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029].contains(v) {
                let endOfBreak = v == 0x0D && i + 1 < a.count && a[i + 1] == "\n" ? i + 2 : i + 1
                lines.append(string(a[start..<(keepEnds ? endOfBreak : i)]))
                start = endOfBreak
                i = endOfBreak
            } else {
                i += 1
            }
        }
        if start < a.count { lines.append(string(a[start...])) }
        return lines
    }

    /// `str.replace(old, new, count)`; an empty `old` inserts `new` between every character.
    static func replace(_ s: String, _ old: String, _ new: String, count: Int) -> String {
        let a = scalars(s)
        let n = scalars(old)
        let hits = occurrences(a, n, limit: count < 0 ? .max : count)
        var out = ""
        var start = 0
        for o in hits {
            out.unicodeScalars.append(contentsOf: a[start..<o])
            out += new
            start = o + n.count
        }
        out.unicodeScalars.append(contentsOf: a[start...])
        return out
    }

    /// `str.capitalize`: the first character title-cased, the rest lower-cased.
    static func capitalize(_ s: String) -> String {
        guard let first = s.unicodeScalars.first else { return "" }
        return first.properties.titlecaseMapping + string(s.unicodeScalars.dropFirst()).lowercased()
    }

    /// `str.title`: a character after a cased one is lower-cased, any other title-cased.
    static func title(_ s: String) -> String {
        var out = ""
        var previousCased = false
        for u in s.unicodeScalars {
            out += previousCased ? u.properties.lowercaseMapping : u.properties.titlecaseMapping
            previousCased = u.properties.isCased
        }
        return out
    }

    /// jinja2's `title` filter (not `str.title`): words begin after `-`, whitespace or an opening bracket.
    static func jinjaTitle(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for u in s.unicodeScalars {
            let separator = isSpace(u) || "-({[<".unicodeScalars.contains(u)
            if separator {
                out.unicodeScalars.append(u)
                atWordStart = true
            } else {
                out += atWordStart ? u.properties.uppercaseMapping : u.properties.lowercaseMapping
                atWordStart = false
            }
        }
        return out
    }

    /// Python's slice of a sequence of `count` items: the selected indices (`a[start:stop:step]`).
    static func sliceIndices(count: Int, start: Int?, stop: Int?, step: Int) -> [Int] {
        func clamp(_ v: Int?, _ lowDefault: Int, _ highDefault: Int, low: Int, high: Int) -> Int {
            guard let v else { return step > 0 ? lowDefault : highDefault }
            let w = v < 0 ? v + count : v
            return Swift.min(Swift.max(w, low), high)
        }
        if step > 0 {
            let a = clamp(start, 0, 0, low: 0, high: count)
            let b = clamp(stop, count, count, low: 0, high: count)
            return a < b ? Array(stride(from: a, to: b, by: step)) : []
        }
        let a = clamp(start, count - 1, count - 1, low: -1, high: count - 1)
        let b = clamp(stop, -1, -1, low: -1, high: count - 1)
        return a > b ? Array(stride(from: a, to: b, by: step)) : []
    }
}
