/// Python's `repr` of strings and floats, which jinja2 prints (`{{ 0.5 }}`, `{{ ['a'] }}`) and `tojson` writes.
enum PythonRepr {
    /// `repr(float)`: the shortest digits that read back to the same double (which Swift's `description` also
    /// finds), laid out Python's way: an exponent when the decimal point is 5+ places left or 17+ right of the
    /// first digit (`1e-05`, `1e+16`), else positional with at least one fractional digit (`100.0`).
    static func float(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let text = Swift.abs(d).description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...].replacing("+", with: "")) ?? 0
        }
        var digits = Array(mantissa.filter { $0 != "." })
        // The value is 0.<digits> × 10^point.
        var point = (mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) }
            ?? mantissa.count) + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        var out = d < 0 ? "-" : ""
        if point <= -4 || point > 16 {
            out.append(digits[0])
            if digits.count > 1 { out += "." + String(digits[1...]) }
            let e = point - 1
            out += (e < 0 ? "e-" : "e+") + (Swift.abs(e) < 10 ? "0" : "") + String(Swift.abs(e))
        } else if point <= 0 {
            out += "0." + String(repeating: "0", count: -point) + String(digits)
        } else if point >= digits.count {
            out += String(digits) + String(repeating: "0", count: point - digits.count) + ".0"
        } else {
            out += String(digits[..<point]) + "." + String(digits[point...])
        }
        return out
    }

    /// `repr(str)`: single quotes unless the text has a single quote and no double quote; backslash escapes for
    /// `\\`, the quote, `\t\n\r`, and `\x`/`\u`/`\U` for characters Python deems non-printable.
    static func string(_ s: String) -> String {
        let quote: Unicode.Scalar = s.unicodeScalars.contains("'") && !s.unicodeScalars.contains("\"") ? "\"" : "'"
        var out = String(Character(quote))
        for u in s.unicodeScalars {
            switch u {
            case quote, "\\":
                out += "\\"
                out.unicodeScalars.append(u)
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case _ where !isPrintable(u):
                let h = String(u.value, radix: 16)
                let width = u.value < 0x100 ? 2 : u.value < 0x10000 ? 4 : 8
                out += "\\" + (width == 2 ? "x" : width == 4 ? "u" : "U")
                out += String(repeating: "0", count: width - h.count) + h
            default: out.unicodeScalars.append(u)
            }
        }
        out.unicodeScalars.append(quote)
        return out
    }

    /// Python's `str.isprintable` for one character: not a control, format, surrogate, private-use, unassigned or
    /// separator character, except the ASCII space.
    static func isPrintable(_ u: Unicode.Scalar) -> Bool {
        if u == " " { return true }
        switch u.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator:
            return false
        default: return true
        }
    }
}
