/// Python's `json.dumps`, which transformers' `tojson` filter calls (`ensure_ascii=False` by default, no HTML
/// escaping, keys in insertion order unless `sort_keys`): separators `", "`/`": "` without an indent, `","`/`": "`
/// with one, floats as `repr`, NaN/Infinity spelled as Python does.
struct PythonJSON {
    var indent: String?
    var itemSeparator: String
    var keySeparator: String
    var sortKeys = false
    var ensureASCII = false

    init(indent: String? = nil, separators: (String, String)? = nil, sortKeys: Bool = false, ensureASCII: Bool = false) {
        self.indent = indent
        itemSeparator = separators?.0 ?? (indent == nil ? ", " : ",")
        keySeparator = separators?.1 ?? ": "
        self.sortKeys = sortKeys
        self.ensureASCII = ensureASCII
    }

    func dumps(_ value: TemplateValue) throws(TemplateError) -> String {
        var out = ""
        try write(value, level: 0, into: &out)
        return out
    }

    private func write(_ value: TemplateValue, level: Int, into out: inout String) throws(TemplateError) {
        guard level <= TemplateValue.maxNesting else { throw TemplateValue.nestingError() }
        switch value {
        case .none: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .float(d):
            if d.isNaN {
                out += "NaN"
            } else if d.isInfinite {
                out += d < 0 ? "-Infinity" : "Infinity"
            } else {
                out += PythonRepr.float(d)
            }
        case let .string(s), let .markup(s): writeString(s, into: &out)
        case let .list(items), let .tuple(items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            let separator = open(level + 1, into: &out)
            for (i, item) in items.enumerated() {
                if i > 0 { out += separator }
                try write(item, level: level + 1, into: &out)
            }
            close(level, into: &out)
            out += "]"
        case let .dict(d):
            guard !d.isEmpty else {
                out += "{}"
                return
            }
            var pairs = Array(d.pairs)
            if sortKeys {
                pairs.sort { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) { $0.value < $1.value } }
            }
            out += "{"
            let separator = open(level + 1, into: &out)
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out += separator }
                writeString(k, into: &out)
                out += keySeparator
                try write(v, level: level + 1, into: &out)
            }
            close(level, into: &out)
            out += "}"
        default:
            throw TemplateError(.type, "Object of type \(value.typeName) is not JSON serializable")
        }
    }

    /// Starts the items of a container; returns the separator between them.
    private func open(_ level: Int, into out: inout String) -> String {
        guard let indent else { return itemSeparator }
        let newline = "\n" + String(repeating: indent, count: level)
        out += newline
        return itemSeparator + newline
    }

    private func close(_ level: Int, into out: inout String) {
        guard let indent else { return }
        out += "\n" + String(repeating: indent, count: level)
    }

    private func writeString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where u.value < 0x20 || (ensureASCII && u.value > 0x7E):
                if u.value > 0xFFFF {
                    let v = u.value - 0x10000
                    out += Self.escape(0xD800 | (v >> 10)) + Self.escape(0xDC00 | (v & 0x3FF))
                } else {
                    out += Self.escape(u.value)
                }
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }

    private static func escape(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - h.count) + h
    }
}
