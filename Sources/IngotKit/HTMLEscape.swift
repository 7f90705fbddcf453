/// Escaping for text that did not come from Ingot (paths, prompts, token pieces, tensor names) before it goes into
/// HTML, as element content or as a quoted attribute value alike.
enum HTMLEscape {
    /// `&`, `<`, `>`, `"`, `'` as entities. C0 controls other than tab, newline and carriage return (and DEL) are not
    /// allowed in HTML even as character references, so they become their Unicode control pictures (U+2400…,
    /// "␀", "␛"): a token piece made of a control byte stays visible instead of vanishing or breaking the page.
    static func text(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(c)
            default:
                if c.value < 0x20 { out.unicodeScalars.append(Unicode.Scalar(0x2400 + c.value) ?? "\u{FFFD}") }
                else if c.value == 0x7f { out += "\u{2421}" }
                else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    /// A short one-line rendering of a token's text for tooltips: quoted, with newlines, tabs and carriage returns
    /// shown as `\n`, `\t`, `\r` (a tooltip of a bare newline would look empty), then escaped.
    static func quotedToken(_ s: String) -> String {
        var v = ""
        for c in s.unicodeScalars {
            switch c {
            case "\n": v += "\\n"
            case "\t": v += "\\t"
            case "\r": v += "\\r"
            default: v.unicodeScalars.append(c)
            }
        }
        return text("“" + v + "”")
    }

    /// At most `limit` characters, with "…" when cut: a hostile 64 MiB tensor name or prompt must not make the page
    /// that large.
    static func cut(_ s: String, _ limit: Int) -> String {
        s.utf8.count <= limit || s.count <= limit ? s : String(s.prefix(max(0, limit - 1))) + "…"
    }
}
