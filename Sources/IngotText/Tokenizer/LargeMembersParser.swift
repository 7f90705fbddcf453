/// Strict parsing of the located `model.vocab` object and `model.merges` array (RFC 8259 strings with UTF-8
/// validation and escapes, exact integers), with JSONParser's error style: what and at which byte.
extension LargeMembers {
    private static func fail(_ what: String, _ at: Int) -> TokenizerError { .invalidJSON("\(what) at byte \(at)") }

    /// `{"token": id, …}` as (token, id) pairs in file order (a repeated token is rejected by `Vocabulary`).
    static func vocabulary(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, end: inout Int) throws(TokenizerError) -> [(String, Int64)] {
        let r = start..<p.count
        var out: [(String, Int64)] = []
        out.reserveCapacity(1024)
        var scratch: [UInt8] = []
        var i = skipSpace(p, r.lowerBound + 1)
        if i < r.upperBound && p[i] == UInt8(ascii: "}") {
            end = i + 1
            return out
        }
        while true {
            let key = try string(p, &i, r.upperBound, &scratch)
            i = skipSpace(p, i)
            guard i < r.upperBound, p[i] == UInt8(ascii: ":") else { throw fail("expected ':'", i) }
            i = skipSpace(p, i + 1)
            let id = try integer(p, &i, r.upperBound)
            out.append((key, id))
            i = skipSpace(p, i)
            guard i < r.upperBound else { throw fail("unterminated object", i) }
            if p[i] == UInt8(ascii: "}") {
                end = i + 1
                return out
            }
            guard p[i] == UInt8(ascii: ",") else { throw fail("expected ',' or '}'", i) }
            i = skipSpace(p, i + 1)
        }
    }

    /// `["a b", …]` or `[["a", "b"], …]`; "#version" lines are skipped as tokenizers does.
    static func merges(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, end: inout Int) throws(TokenizerError) -> MergeList {
        let r = start..<p.count
        var out = MergeList()
        var scratch: [UInt8] = []
        var i = skipSpace(p, r.lowerBound + 1)
        if i < r.upperBound && p[i] == UInt8(ascii: "]") {
            end = i + 1
            return out
        }
        var rank = 0
        while true {
            rank += 1
            let at = i
            if i < r.upperBound && p[i] == UInt8(ascii: "[") {
                i = skipSpace(p, i + 1)
                let a = Array(try string(p, &i, r.upperBound, &scratch).utf8)
                i = skipSpace(p, i)
                guard i < r.upperBound, p[i] == UInt8(ascii: ",") else { throw fail("expected a pair of strings", i) }
                i = skipSpace(p, i + 1)
                let b = Array(try string(p, &i, r.upperBound, &scratch).utf8)
                i = skipSpace(p, i)
                guard i < r.upperBound, p[i] == UInt8(ascii: "]") else { throw fail("expected a pair of strings", i) }
                i += 1
                out.append(a, b)
            } else if let raw = plainString(p, &i, r.upperBound) {
                // No escapes: split the bytes in place, no String.
                if !raw.starts(with: "#version".utf8) {
                    guard out.appendSpaced(raw) else { throw TokenizerError.badModel("merge \(rank) at byte \(at) is not two tokens") }
                }
            } else {
                var s = try string(p, &i, r.upperBound, &scratch)
                if !s.utf8.starts(with: "#version".utf8) {
                    let ok = s.withUTF8 { out.appendSpaced($0) }
                    guard ok else { throw TokenizerError.badModel("merge \(rank) at byte \(at) is not two tokens") }
                }
            }
            i = skipSpace(p, i)
            guard i < r.upperBound else { throw fail("unterminated array", i) }
            if p[i] == UInt8(ascii: "]") {
                end = i + 1
                return out
            }
            guard p[i] == UInt8(ascii: ",") else { throw fail("expected ',' or ']'", i) }
            i = skipSpace(p, i + 1)
        }
    }

    /// An integer as JSONParser reads one: optional minus, no leading zero, no fraction or exponent.
    private static func integer(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int) throws(TokenizerError) -> Int64 {
        let start = i
        var negative = false
        if i < end && p[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < end, p[i] >= 0x30 && p[i] <= 0x39 else { throw TokenizerError.badField(path: "model.vocab", expected: "integer ids") }
        if p[i] == 0x30 && i + 1 < end && p[i + 1] >= 0x30 && p[i + 1] <= 0x39 { throw fail("leading zero in number", start) }
        var v: Int64 = 0
        while i < end, p[i] >= 0x30 && p[i] <= 0x39 {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(p[i] - 0x30))
            guard !o1 && !o2 else { throw fail("integer out of 64-bit range", start) }
            v = a
            i += 1
        }
        if i < end && (p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            throw TokenizerError.badField(path: "model.vocab", expected: "integer ids")
        }
        return negative ? -v : v
    }

    /// The bytes of a string without escapes (valid UTF-8, no control characters), `i` moved past it; nil (and `i`
    /// unmoved) for anything else, which `string` then reads or rejects.
    private static func plainString(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int) -> UnsafeBufferPointer<UInt8>? {
        guard i < end, p[i] == UInt8(ascii: "\"") else { return nil }
        var j = i + 1
        var ascii = true
        while j < end, p[j] != UInt8(ascii: "\""), p[j] != UInt8(ascii: "\\"), p[j] >= 0x20 {
            if p[j] >= 0x80 { ascii = false }
            j += 1
        }
        guard j < end, p[j] == UInt8(ascii: "\"") else { return nil }
        let raw = UnsafeBufferPointer(rebasing: p[(i + 1)..<j])
        guard ascii || isValidUTF8(raw) else { return nil }
        i = j + 1
        return raw
    }

    /// A string starting at its opening quote; `i` moves past the closing one.
    private static func string(
        _ p: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int, _ scratch: inout [UInt8]
    ) throws(TokenizerError) -> String {
        guard i < end, p[i] == UInt8(ascii: "\"") else { throw fail("expected a string", i) }
        let start = i + 1
        var j = start
        var ascii = true
        while j < end, p[j] != UInt8(ascii: "\""), p[j] != UInt8(ascii: "\\") {
            if p[j] < 0x20 { throw fail("control character in string", j) }
            if p[j] >= 0x80 { ascii = false }
            j += 1
        }
        guard j < end else { throw fail("unterminated string", j) }
        if p[j] == UInt8(ascii: "\"") {
            i = j + 1
            let raw = UnsafeBufferPointer(rebasing: p[start..<j])
            guard ascii || isValidUTF8(raw) else { throw fail("invalid UTF-8 in string", start) }
            return String(decoding: raw, as: UTF8.self)
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: p[start..<j])
        while true {
            guard j < end else { throw fail("unterminated string", j) }
            let c = p[j]
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 { throw fail("control character in string", j) }
            if c != UInt8(ascii: "\\") {
                scratch.append(c)
                j += 1
                continue
            }
            guard j + 1 < end else { throw fail("unterminated escape", j) }
            let e = p[j + 1]
            j += 2
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(p, &j, end)
                if (0xD800..<0xDC00).contains(scalar) {
                    guard j + 1 < end, p[j] == UInt8(ascii: "\\"), p[j + 1] == UInt8(ascii: "u") else { throw fail("unpaired surrogate", j) }
                    j += 2
                    let low = try hex4(p, &j, end)
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate", j) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw fail("unpaired surrogate", j)
                }
                UTF8Scan.append(scalar, to: &scratch)
            default: throw fail("invalid escape", j - 1)
            }
        }
        i = j + 1
        guard scratch.withUnsafeBufferPointer({ isValidUTF8($0) }) else { throw fail("invalid UTF-8 in string", start) }
        return String(decoding: scratch, as: UTF8.self)
    }

    private static func hex4(_ p: UnsafeBufferPointer<UInt8>, _ j: inout Int, _ end: Int) throws(TokenizerError) -> UInt32 {
        guard j + 4 <= end else { throw fail("truncated \\u escape", j) }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = p[j]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x61...0x66: d = c - 0x61 + 10
            case 0x41...0x46: d = c - 0x41 + 10
            default: throw fail("bad hex digit in \\u escape", j)
            }
            v = v << 4 | UInt32(d)
            j += 1
        }
        return v
    }

    /// Well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
    static func isValidUTF8(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = s.count
        while i < n {
            let b = s[i]
            if b < 0x80 {
                i += 1
                continue
            }
            if b >= 0xC2 && b <= 0xDF {  // the common case in byte-level vocabularies (Ġ is C4 A0)
                guard i + 1 < n, s[i + 1] & 0xC0 == 0x80 else { return false }
                i += 2
                continue
            }
            if b >= 0xE0 && b <= 0xEF {
                guard i + 2 < n, s[i + 1] & 0xC0 == 0x80, s[i + 2] & 0xC0 == 0x80 else { return false }
                if b == 0xE0 && s[i + 1] < 0xA0 { return false }  // overlong
                if b == 0xED && s[i + 1] >= 0xA0 { return false }  // surrogate
                i += 3
                continue
            }
            guard b >= 0xF0 && b <= 0xF4, i + 3 < n, s[i + 1] & 0xC0 == 0x80, s[i + 2] & 0xC0 == 0x80,
                s[i + 3] & 0xC0 == 0x80
            else { return false }
            if b == 0xF0 && s[i + 1] < 0x90 { return false }
            if b == 0xF4 && s[i + 1] >= 0x90 { return false }
            i += 4
        }
        return true
    }
}
