/// A strict, bounded parser for the Python literal subset numpy writes in `.npy` headers: dicts, tuples, lists,
/// quoted strings without escapes, integers, True/False/None. Anything else is an error with a byte offset.
struct PythonLiteralParser: ~Copyable {
    struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        let message: String
        let offset: Int
        var description: String { "\(message) at header byte \(offset)" }
    }

    /// Nesting deeper than this is refused (a valid header nests two levels: the dict and the shape tuple).
    static let maxDepth = 16

    private let bytes: UnsafeRawBufferPointer
    private let utf8Strings: Bool
    private let allowLongSuffix: Bool
    private var pos = 0

    private init(_ bytes: UnsafeRawBufferPointer, utf8Strings: Bool, allowLongSuffix: Bool) {
        self.bytes = bytes
        self.utf8Strings = utf8Strings
        self.allowLongSuffix = allowLongSuffix
    }

    /// Parses one literal; only whitespace may follow it. `utf8Strings`: strings are UTF-8 (npy 3.0) rather than
    /// Latin-1. `allowLongSuffix`: accept Python 2's `3L` integers, as numpy does for npy 1.0 and 2.0.
    static func parse(_ bytes: UnsafeRawBufferPointer, utf8Strings: Bool, allowLongSuffix: Bool) throws(Failure)
        -> PythonLiteral
    {
        var p = PythonLiteralParser(bytes, utf8Strings: utf8Strings, allowLongSuffix: allowLongSuffix)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.pos == bytes.count else { throw p.fail("unexpected text after the literal") }
        return v
    }

    private func fail(_ message: String) -> Failure { Failure(message: message, offset: pos) }

    private var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private mutating func skipSpace() {
        while let c = peek, c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 { pos += 1 }
    }

    private mutating func value(depth: Int) throws(Failure) -> PythonLiteral {
        guard let c = peek else { throw fail("unexpected end of header") }
        switch c {
        case UInt8(ascii: "{"), UInt8(ascii: "("), UInt8(ascii: "["):
            guard depth < Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth)") }
            if c == UInt8(ascii: "{") { return try dict(depth: depth + 1) }
            if c == UInt8(ascii: "(") { return try parenthesized(depth: depth + 1) }
            return .list(try sequence(close: UInt8(ascii: "]"), depth: depth + 1))
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try integer()
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"): return try name()
        default: throw fail("unexpected character")
        }
    }

    private mutating func dict(depth: Int) throws(Failure) -> PythonLiteral {
        pos += 1
        var pairs: [(String, PythonLiteral)] = []
        while true {
            skipSpace()
            if peek == UInt8(ascii: "}") { pos += 1; return .dict(pairs) }
            let keyStart = pos
            guard peek == UInt8(ascii: "'") || peek == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try string()
            guard !pairs.contains(where: { $0.0 == key }) else {
                throw Failure(message: "duplicate key '\(key)'", offset: keyStart)
            }
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw fail("expected ':'") }
            pos += 1
            skipSpace()
            pairs.append((key, try value(depth: depth)))
            skipSpace()
            guard let c = peek else { throw fail("unterminated dict") }
            if c == UInt8(ascii: ",") { pos += 1; continue }
            guard c == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
        }
    }

    /// `()` and `(a,)` / `(a, b)` are tuples; `(a)` is just `a`, as in Python.
    private mutating func parenthesized(depth: Int) throws(Failure) -> PythonLiteral {
        pos += 1
        skipSpace()
        if peek == UInt8(ascii: ")") { pos += 1; return .tuple([]) }
        let first = try value(depth: depth)
        skipSpace()
        if peek == UInt8(ascii: ")") { pos += 1; return first }
        guard peek == UInt8(ascii: ",") else { throw fail("expected ',' or ')'") }
        pos += 1
        return .tuple([first] + (try sequence(close: UInt8(ascii: ")"), depth: depth, opened: false)))
    }

    /// Comma-separated values up to `close`, trailing comma allowed. `opened`: the opening bracket is at `pos`.
    private mutating func sequence(close: UInt8, depth: Int, opened: Bool = true) throws(Failure) -> [PythonLiteral] {
        if opened { pos += 1 }
        var items: [PythonLiteral] = []
        while true {
            skipSpace()
            if peek == close { pos += 1; return items }
            items.append(try value(depth: depth))
            skipSpace()
            guard let c = peek else { throw fail("unterminated sequence") }
            if c == UInt8(ascii: ",") { pos += 1; continue }
            guard c == close else { throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'") }
        }
    }

    private mutating func string() throws(Failure) -> String {
        let quote = bytes[pos]
        pos += 1
        let start = pos
        while let c = peek, c != quote {
            // numpy never escapes anything in a header; refusing escapes keeps this parser trivially correct.
            guard c != UInt8(ascii: "\\") else { throw fail("escape sequences are not supported") }
            guard c >= 0x20, c != 0x7f else { throw fail("control character in string") }
            pos += 1
        }
        guard peek == quote, let raw = bytes.bounded(start, pos - start) else { throw fail("unterminated string") }
        pos += 1
        var s = ""
        if utf8Strings {
            guard let v = String(validating: raw, as: UTF8.self) else {
                throw Failure(message: "invalid UTF-8 in string", offset: start)
            }
            s = v
        } else {
            for b in raw { s.unicodeScalars.append(Unicode.Scalar(b)) }  // Latin-1: each byte is its code point
        }
        // C1 controls (U+0080–U+009F) include terminal escapes (U+009B is CSI); header text ends up in error messages.
        guard !s.unicodeScalars.contains(where: { (0x80...0x9F).contains($0.value) }) else {
            throw Failure(message: "control character in string", offset: start)
        }
        return s
    }

    private mutating func integer() throws(Failure) -> PythonLiteral {
        let start = pos
        var negative = false
        if let c = peek, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") { negative = c == UInt8(ascii: "-"); pos += 1 }
        let digitsStart = pos
        var value = 0
        var huge = false
        while let c = peek, (0x30...0x39).contains(c) {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(c - 0x30))
            if o1 || o2 { huge = true } else { value = a }
            pos += 1
            guard pos - start <= 400 else { throw Failure(message: "number too long", offset: start) }
        }
        guard pos > digitsStart else { throw fail("invalid number") }
        guard bytes[digitsStart] != UInt8(ascii: "0") || pos - digitsStart == 1 else {
            throw Failure(message: "leading zero in number", offset: start)
        }
        if allowLongSuffix, let c = peek, c == UInt8(ascii: "L") || c == UInt8(ascii: "l") { pos += 1 }
        if let c = peek, c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "_")
            || c == UInt8(ascii: "x") || c == UInt8(ascii: "j") || (0x41...0x5a).contains(c) || (0x61...0x7a).contains(c)
        {
            throw fail("only decimal integers are supported")
        }
        if huge { return .hugeInt }
        return .int(negative ? -value : value)
    }

    private mutating func name() throws(Failure) -> PythonLiteral {
        let start = pos
        while let c = peek, (0x41...0x5a).contains(c) || (0x61...0x7a).contains(c) || (0x30...0x39).contains(c) || c == 0x5f {
            pos += 1
            guard pos - start <= 16 else { break }
        }
        let word = bytes.bounded(start, pos - start).map { String(decoding: $0, as: UTF8.self) }
        switch word {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .none
        default: throw Failure(message: "unsupported name (only True, False and None)", offset: start)
        }
    }
}
