#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Python's printf-style `str % args` (also jinja2's `format` filter): `%s %r %d %i %f %e %g %x %o %c %%` with
/// flags, width and precision, a tuple of arguments or a dict for `%(name)s`. Numbers go through C's `snprintf`,
/// which rounds as Python does.
enum PythonPercentFormat {
    /// `escaping`: the template is Markup, so the text of `%s`/`%r` arguments is HTML-escaped (Markup arguments
    /// excepted), as markupsafe does.
    static func format(_ template: String, _ argument: TemplateValue, escaping: Bool = false) throws(TemplateError)
        -> String
    {
        let s = PythonString.scalars(template)
        // Only a tuple spreads over the conversions; any other value (a list too) is the one argument.
        let positional: [TemplateValue] = if case let .tuple(items) = argument { items } else { [argument] }
        var mapping: TemplateDict?
        if case let .dict(d) = argument { mapping = d }
        var used = 0
        var out = ""
        var i = 0
        func fail(_ m: String) -> TemplateError { TemplateError(.type, m) }
        func next() throws(TemplateError) -> TemplateValue {
            guard used < positional.count else { throw fail("not enough arguments for format string") }
            used += 1
            return positional[used - 1]
        }
        while i < s.count {
            guard s[i] == "%" else {
                out.unicodeScalars.append(s[i])
                i += 1
                continue
            }
            i += 1
            guard i < s.count else { throw fail("incomplete format") }
            var value: TemplateValue?
            if s[i] == "(" {
                var j = i + 1
                while j < s.count, s[j] != ")" { j += 1 }
                guard j < s.count, let mapping else { throw fail("format requires a mapping") }
                let key = PythonString.string(s[(i + 1)..<j])
                guard let v = mapping[key] else { throw fail("KeyError: '\(key)'") }
                value = v
                i = j + 1
            }
            var flags = ""
            while i < s.count, "-+ #0".unicodeScalars.contains(s[i]) {
                flags.unicodeScalars.append(s[i])
                i += 1
            }
            var width = ""
            if i < s.count, s[i] == "*" {
                width = String(try next().intArgument("* width"))
                i += 1
            }
            while i < s.count, ("0"..."9").contains(s[i]) {
                width.unicodeScalars.append(s[i])
                i += 1
            }
            var precision: Int?
            if i < s.count, s[i] == "." {
                i += 1
                var digits = ""
                while i < s.count, ("0"..."9").contains(s[i]) {
                    digits.unicodeScalars.append(s[i])
                    i += 1
                }
                precision = Int(digits) ?? 0
            }
            while i < s.count, "hlL".unicodeScalars.contains(s[i]) { i += 1 }
            guard i < s.count else { throw fail("incomplete format") }
            let conversion = s[i]
            i += 1
            if conversion == "%" {
                out += "%"
                continue
            }
            let v: TemplateValue
            if let value { v = value } else { v = try next() }
            out += try convert(
                v, conversion, flags: flags, width: Int(width) ?? 0, precision: precision, escaping: escaping)
        }
        // Python complains about unused arguments only when they are not a mapping (anything indexable
        // but a tuple or a string counts: a dict, a list, undefined).
        let mappingLike: Bool =
            switch argument {
            case .dict, .list, .undefined: true
            default: false
            }
        if !mappingLike, used < positional.count {
            throw fail("not all arguments converted during string formatting")
        }
        return out
    }

    private static func convert(
        _ v: TemplateValue, _ conversion: Unicode.Scalar, flags: String, width: Int, precision: Int?, escaping: Bool
    ) throws(TemplateError) -> String {
        func pad(_ text: String) -> String {
            let n = PythonString.length(text)
            guard n < width else { return text }
            let fill = String(repeating: " ", count: width - n)
            return flags.contains("-") ? text + fill : fill + text
        }
        func c(_ spec: String, _ arg: any CVarArg) -> String {
            var buffer = [CChar](repeating: 0, count: 512)
            let format = "%" + flags + (width > 0 ? String(width) : "") + (precision.map { "." + String($0) } ?? "") + spec
            let n = withVaList([arg]) { vsnprintf(&buffer, buffer.count, format, $0) }
            return String(decoding: buffer.prefix(max(0, min(Int(n), buffer.count - 1))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        switch conversion {
        case "s", "r":
            var text = conversion == "s" ? try v.str() : try v.repr(depth: 0)
            if escaping, !v.isMarkup { text = TemplateValue.escapeHTML(text) }
            if let precision { text = PythonString.string(text.unicodeScalars.prefix(precision)) }
            return pad(text)
        case "d", "i", "u", "x", "X", "o":
            let i: Int64
            switch v.number {
            case let .int(n)?: i = n
            case let .float(d)? where conversion == "d" || conversion == "i" || conversion == "u":
                guard d.isFinite, d > -0x1p63, d < 0x1p63 else { throw TemplateError(.type, "cannot convert float to integer") }
                i = Int64(d.rounded(.towardZero))
            default:
                throw TemplateError(.type, "%\(conversion) format: a real number is required, not \(v.typeName)")
            }
            let spec = conversion == "x" || conversion == "X" || conversion == "o" ? "ll" + String(conversion) : "lld"
            return c(spec, i)
        case "f", "F", "e", "E", "g", "G":
            guard let n = v.number else {
                throw TemplateError(.type, "must be real number, not \(v.typeName)")
            }
            return c(String(conversion), n.double)
        case "c":
            if case let .string(ch) = v, ch.unicodeScalars.count == 1 { return pad(ch) }
            if case let .int(code) = v, let u = Unicode.Scalar(UInt32(clamping: code)) { return pad(String(Character(u))) }
            throw TemplateError(.type, "%c requires an int or a unicode character")
        default:
            throw TemplateError(.unsupported, "unsupported format character '\(conversion)'")
        }
    }
}
