/// Python's `str.format` for the fields templates use: `{}`, `{0}`, `{name}`, `.attr`/`[key]` after them,
/// `!s`/`!r`, `{{`/`}}`. A format spec (`{:>10}`) is refused rather than rendered differently from Python.
enum PythonFormat {
    static func format(_ template: String, _ args: TemplateCallArguments, renderer: TemplateRenderer)
        throws(TemplateError) -> String
    {
        let s = PythonString.scalars(template)
        var out = ""
        var i = 0
        var autoIndex = 0
        func fail(_ m: String) -> TemplateError { TemplateError(.type, m) }
        while i < s.count {
            let c = s[i]
            if c == "}" {
                guard i + 1 < s.count, s[i + 1] == "}" else { throw fail("Single '}' encountered in format string") }
                out += "}"
                i += 2
                continue
            }
            guard c == "{" else {
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            if i + 1 < s.count, s[i + 1] == "{" {
                out += "{"
                i += 2
                continue
            }
            var j = i + 1
            while j < s.count, s[j] != "}" { j += 1 }
            guard j < s.count else { throw fail("expected '}' before end of string") }
            var field = PythonString.string(s[(i + 1)..<j])
            i = j + 1
            if let colon = field.firstIndex(of: ":") {
                guard field[field.index(after: colon)...].isEmpty else {
                    throw TemplateError(.unsupported, "format spec in str.format ('{\(field)}')")
                }
                field = String(field[..<colon])
            }
            var conversion: Character?
            if let bang = field.firstIndex(of: "!") {
                conversion = field[field.index(after: bang)...].first
                field = String(field[..<bang])
            }
            let head = field.prefix { $0 != "." && $0 != "[" }
            var value: TemplateValue
            if head.isEmpty {
                guard autoIndex < args.positional.count else { throw fail("Replacement index \(autoIndex) out of range") }
                value = args.positional[autoIndex]
                autoIndex += 1
            } else if let n = Int(head) {
                guard n < args.positional.count else { throw fail("Replacement index \(n) out of range") }
                value = args.positional[n]
            } else {
                guard let kw = args.keyword.first(where: { $0.name == head }) else { throw fail("KeyError: '\(head)'") }
                value = kw.value
            }
            var rest = Substring(field.dropFirst(head.count))
            while let first = rest.first {
                rest = rest.dropFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" && $0 != "]" }
                rest = rest.dropFirst(name.count)
                if first == "." {
                    value = try renderer.attribute(of: value, String(name))
                } else {
                    guard rest.first == "]" else { throw fail("Missing ']' in format string") }
                    rest = rest.dropFirst()
                    value = try renderer.item(of: value, Int64(name).map { .int($0) } ?? .string(String(name)))
                }
            }
            switch conversion {
            case nil, "s": out += try value.str()
            case "r": out += try value.repr(depth: 0)
            default: throw TemplateError(.unsupported, "conversion '!\(conversion.map(String.init) ?? "")' in str.format")
            }
        }
        return out
    }
}
