/// Number and string literals inside tags, with jinja2's rules: `_` digit separators, `0b`/`0o`/`0x` integers,
/// floats that need a fraction or an exponent, and string escapes decoded as Python's `unicode-escape` codec does.
enum TemplateLiteralScanner {
    private static func isDigit(_ u: Unicode.Scalar) -> Bool { ("0"..."9").contains(u) }

    /// `(\d+_)*\d+` starting at `i`: the end, or nil when no digit is there.
    private static func digits(_ s: [Unicode.Scalar], _ i: Int) -> Int? {
        guard i < s.count, isDigit(s[i]) else { return nil }
        var j = i
        while true {
            while j < s.count, isDigit(s[j]) { j += 1 }
            guard j + 1 < s.count, s[j] == "_", isDigit(s[j + 1]) else { return j }
            j += 1
        }
    }

    private static func number(_ s: ArraySlice<Unicode.Scalar>) -> String {
        var t = ""
        for u in s where u != "_" { t.unicodeScalars.append(u) }
        return t
    }

    /// jinja2's `float_re`; never right after a `.` (so `x.0.1` stays attribute lookups).
    static func float(_ s: [Unicode.Scalar], at i: Int) -> (Int, Double)? {
        guard i == 0 || s[i - 1] != ".", let intEnd = digits(s, i) else { return nil }
        var j = intEnd
        var isFloat = false
        if j < s.count, s[j] == ".", let fracEnd = digits(s, j + 1) {
            j = fracEnd
            isFloat = true
        }
        if j < s.count, s[j] == "e" || s[j] == "E" {
            var k = j + 1
            if k < s.count, s[k] == "+" || s[k] == "-" { k += 1 }
            if let expEnd = digits(s, k) {
                j = expEnd
                isFloat = true
            }
        }
        guard isFloat, let value = Double(number(s[i..<j])) else { return nil }
        return (j, value)
    }

    /// jinja2's `integer_re`: binary, octal, hex, decimal (no leading zeros), or zeros.
    static func integer(_ s: [Unicode.Scalar], at i: Int, line: Int) throws(TemplateError) -> (Int, Int64)? {
        guard i < s.count, isDigit(s[i]) else { return nil }
        // (_?[digit])+ from `start`
        func run(_ start: Int, _ ok: (Unicode.Scalar) -> Bool) -> Int {
            var j = start
            while true {
                if j < s.count, ok(s[j]) {
                    j += 1
                } else if j + 1 < s.count, s[j] == "_", ok(s[j + 1]) {
                    j += 2
                } else {
                    return j
                }
            }
        }
        func value(_ digits: ArraySlice<Unicode.Scalar>, _ radix: Int) throws(TemplateError) -> Int64 {
            guard let v = Int64(number(digits), radix: radix) else {
                throw TemplateError(.unsupported, "integer literal out of the 64-bit range", line: line)
            }
            return v
        }
        if s[i] == "0", i + 1 < s.count {
            let radix: Int? =
                switch s[i + 1] {
                case "b", "B": 2
                case "o", "O": 8
                case "x", "X": 16
                default: nil
                }
            if let radix {
                let end = run(i + 2) { $0.isASCII && Int(String($0), radix: radix) != nil }
                if end > i + 2 { return (end, try value(s[(i + 2)..<end], radix)) }
            }
        }
        if s[i] == "0" { return (run(i + 1) { $0 == "0" }, 0) }
        let end = run(i + 1, isDigit)
        return (end, try value(s[i..<end], 10))
    }

    /// A quoted literal starting at `i`: its end and decoded value.
    static func string(_ s: [Unicode.Scalar], at i: Int, line: Int) throws(TemplateError) -> (Int, String) {
        let quote = s[i]
        var j = i + 1
        while j < s.count, s[j] != quote {
            j += s[j] == "\\" ? 2 : 1
        }
        guard j < s.count else { throw TemplateError(.syntax, "unterminated string literal", line: line) }
        return (j + 1, try unescape(s[(i + 1)..<j], line: line))
    }

    /// Python's `body.encode("ascii", "backslashreplace").decode("unicode-escape")`, which jinja2 applies.
    static func unescape(_ body: ArraySlice<Unicode.Scalar>, line: Int) throws(TemplateError) -> String {
        var out = ""
        var i = body.startIndex
        func fail(_ m: String) -> TemplateError { TemplateError(.syntax, "string literal: \(m)", line: line) }
        func hex(_ count: Int) throws(TemplateError) -> UInt32 {
            guard body.endIndex - i >= count else { throw fail("truncated escape") }
            var v: UInt32 = 0
            for k in 0..<count {
                guard body[i + k].isASCII, let d = UInt32(String(body[i + k]), radix: 16) else {
                    throw fail("truncated escape")
                }
                v = v << 4 | d
            }
            i += count
            return v
        }
        while i < body.endIndex {
            let c = body[i]
            i += 1
            guard c == "\\", i < body.endIndex else {
                out.unicodeScalars.append(c)
                continue
            }
            let e = body[i]
            i += 1
            switch e {
            case "\n": break
            case "\\", "'", "\"": out.unicodeScalars.append(e)
            case "a": out += "\u{07}"
            case "b": out += "\u{08}"
            case "f": out += "\u{0C}"
            case "n": out += "\n"
            case "r": out += "\r"
            case "t": out += "\t"
            case "v": out += "\u{0B}"
            case "0"..."7":
                var v = e.value - 0x30
                var k = 0
                while k < 2, i < body.endIndex, ("0"..."7").contains(body[i]) {
                    v = v * 8 + body[i].value - 0x30
                    i += 1
                    k += 1
                }
                out.unicodeScalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
            case "x", "u", "U":
                let v = try hex(e == "x" ? 2 : e == "u" ? 4 : 8)
                guard let u = Unicode.Scalar(v) else { throw fail("escape \\\(e) gives no Unicode scalar") }
                out.unicodeScalars.append(u)
            case "N": throw TemplateError(.unsupported, "string literal: \\N{…} escapes", line: line)
            default:
                // Python keeps unknown escapes; a non-ASCII character was first turned into its own escape text.
                out += "\\"
                if e.isASCII {
                    out.unicodeScalars.append(e)
                } else {
                    let h = String(e.value, radix: 16)
                    let width = e.value < 0x100 ? 2 : e.value < 0x10000 ? 4 : 8
                    out += (width == 2 ? "x" : width == 4 ? "u" : "U") + String(repeating: "0", count: width - h.count) + h
                }
            }
        }
        return out
    }
}
