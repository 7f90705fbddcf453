/// Deterministic compact JSON: keys in their stored order, integers as integers, floats in Swift's shortest
/// round-trip form (always with a '.' or an exponent so they read back as floats), non-ASCII kept as UTF-8.
public enum JSONWriter {
    public struct NonFiniteNumber: Error, CustomStringConvertible, Sendable {
        public var description: String { "JSON cannot hold NaN or infinity" }
    }

    public static func encode(_ value: JSONValue) throws(NonFiniteNumber) -> String {
        var out = ""
        try write(value, into: &out)
        return out
    }

    /// The layout Python's `json.dumps(value, indent: 2)` gives (what transformers writes its config files with):
    /// one member per line, `": "` after keys, empty containers as `{}` / `[]`. Same values as `encode`.
    public static func encode(_ value: JSONValue, indent: Int) throws(NonFiniteNumber) -> String {
        var out = ""
        try write(value, into: &out, indent: indent, depth: 0)
        return out
    }

    static func write(_ value: JSONValue, into out: inout String, indent: Int, depth: Int) throws(NonFiniteNumber) {
        let inner = "\n" + String(repeating: " ", count: indent * (depth + 1))
        let close = "\n" + String(repeating: " ", count: indent * depth)
        switch value {
        case let .array(items) where !items.isEmpty:
            out += "["
            for (i, item) in items.enumerated() {
                out += (i > 0 ? "," : "") + inner
                try write(item, into: &out, indent: indent, depth: depth + 1)
            }
            out += close + "]"
        case let .object(obj) where !obj.isEmpty:
            out += "{"
            for (i, (k, v)) in obj.enumerated() {
                out += (i > 0 ? "," : "") + inner
                writeString(k, into: &out)
                out += ": "
                try write(v, into: &out, indent: indent, depth: depth + 1)
            }
            out += close + "}"
        default:
            try write(value, into: &out)
        }
    }

    static func write(_ value: JSONValue, into out: inout String) throws(NonFiniteNumber) {
        switch value {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .double(d):
            guard d.isFinite else { throw NonFiniteNumber() }
            var s = "\(d)"
            if !s.contains(".") && !s.contains("e") { s += ".0" }
            out += s
        case let .string(s): writeString(s, into: &out)
        case let .array(items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                try write(item, into: &out)
            }
            out += "]"
        case let .object(obj):
            out += "{"
            var first = true
            for (k, v) in obj {
                if !first { out += "," }
                first = false
                writeString(k, into: &out)
                out += ":"
                try write(v, into: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        // Most strings (a tokenizer's 50k-150k tokens and merges) need no escape: append them whole, which copies
        // their UTF-8 at once instead of one scalar at a time (the header of a GGUF-converted model spent ~50 ms here).
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5c }) {
            out += s
            out += "\""
            return
        }
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let h = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
