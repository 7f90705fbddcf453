/// A strict RFC 8259 parser over untrusted bytes: bounded depth, no duplicate keys, UTF-8 validated, integers kept
/// exact. Errors say what went wrong and at which byte offset.
public struct JSONParser: ~Copyable {
    private let bytes: UnsafeRawBufferPointer
    private var pos = 0
    private let maxDepth: Int

    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public let message: String
        public let offset: Int
        public var description: String { "\(message) at byte \(offset)" }
    }

    private init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Parses exactly one value; only whitespace may follow it.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = Limits.maxJSONDepth) throws(Failure)
        -> JSONValue
    {
        var p = JSONParser(bytes, maxDepth: maxDepth)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.pos == bytes.count else { throw p.fail("unexpected data after the value") }
        return v
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = Limits.maxJSONDepth) throws(Failure) -> JSONValue {
        let r: Result<JSONValue, Failure> = bytes.withUnsafeBytes { raw in
            Result { () throws(Failure) in try parse(raw, maxDepth: maxDepth) }
        }
        return try r.get()
    }

    private func fail(_ message: String) -> Failure { Failure(message: message, offset: pos) }

    private var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private mutating func skipSpace() {
        while let c = peek, c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 { pos += 1 }
    }

    private mutating func expect(_ literal: StaticString) throws(Failure) {
        let n = literal.utf8CodeUnitCount
        guard bytes.count - pos >= n else { throw fail("truncated literal") }
        let lit = UnsafeRawBufferPointer(start: literal.utf8Start, count: n)
        for i in 0..<n where bytes[pos + i] != lit[i] { throw fail("invalid literal") }
        pos += n
    }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard let c = peek else { throw fail("unexpected end of input") }
        switch c {
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            return try object(depth: depth + 1)
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character")
        }
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        pos += 1
        var obj = JSONObject()
        skipSpace()
        if peek == UInt8(ascii: "}") { pos += 1; return .object(obj) }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let keyStart = pos
            let key = try string()
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw fail("expected ':'") }
            pos += 1
            skipSpace()
            let v = try value(depth: depth)
            guard obj.insertNew(key, v) else {
                throw Failure(message: "duplicate key \(quoted(key))", offset: keyStart)
            }
            skipSpace()
            guard let c = peek else { throw fail("unterminated object") }
            pos += 1
            if c == UInt8(ascii: "}") { return .object(obj) }
            guard c == UInt8(ascii: ",") else { pos -= 1; throw fail("expected ',' or '}'") }
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        pos += 1
        var items: [JSONValue] = []
        skipSpace()
        if peek == UInt8(ascii: "]") { pos += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth))
            skipSpace()
            guard let c = peek else { throw fail("unterminated array") }
            pos += 1
            if c == UInt8(ascii: "]") { return .array(items) }
            guard c == UInt8(ascii: ",") else { pos -= 1; throw fail("expected ',' or ']'") }
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard bytes.count - pos >= 4 else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[pos]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw fail("bad hex digit in \\u escape")
            }
            v = v << 4 | UInt32(d)
            pos += 1
        }
        return v
    }

    private mutating func string() throws(Failure) -> String {
        pos += 1
        let start = pos
        // Fast path: no escapes — validate the bytes in place and build the String once.
        while let c = peek, c != UInt8(ascii: "\""), c != UInt8(ascii: "\\") {
            if c < 0x20 { throw fail("control character in string") }
            pos += 1
        }
        if peek == UInt8(ascii: "\"") {
            let u8 = UnsafeBufferPointer(rebasing: bytes.assumingMemoryBound(to: UInt8.self)[start..<pos])
            pos += 1
            guard let s = String(validating: u8, as: UTF8.self) else {
                throw Failure(message: "invalid UTF-8 in string", offset: start)
            }
            return s
        }
        var out: [UInt8] = Array(bytes[start..<pos])
        var runStart = pos
        while true {
            guard let c = peek else { throw fail("unterminated string") }
            if c == UInt8(ascii: "\"") {
                out.append(contentsOf: bytes[runStart..<pos])
                pos += 1
                break
            }
            if c < 0x20 { throw fail("control character in string") }
            if c != UInt8(ascii: "\\") { pos += 1; continue }
            out.append(contentsOf: bytes[runStart..<pos])
            pos += 1
            guard let e = peek else { throw fail("unterminated escape") }
            pos += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5c)
            case UInt8(ascii: "/"): out.append(0x2f)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard bytes.count - pos >= 2, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u")
                    else { throw fail("unpaired surrogate") }
                    pos += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw fail("unpaired surrogate")
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw fail("invalid escape")
            }
            runStart = pos
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
        return s
    }

    private mutating func number() throws(Failure) -> JSONValue {
        let start = pos
        var isInteger = true
        if peek == UInt8(ascii: "-") { pos += 1 }
        guard let first = peek, (0x30...0x39).contains(first) else { throw fail("invalid number") }
        if first == 0x30 {
            pos += 1
            if let c = peek, (0x30...0x39).contains(c) { throw fail("leading zero in number") }
        } else {
            while let c = peek, (0x30...0x39).contains(c) { pos += 1 }
        }
        if peek == UInt8(ascii: ".") {
            isInteger = false
            pos += 1
            guard let c = peek, (0x30...0x39).contains(c) else { throw fail("invalid fraction") }
            while let c = peek, (0x30...0x39).contains(c) { pos += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            isInteger = false
            pos += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { pos += 1 }
            guard let c = peek, (0x30...0x39).contains(c) else { throw fail("invalid exponent") }
            while let c = peek, (0x30...0x39).contains(c) { pos += 1 }
        }
        guard pos - start <= 400 else { throw Failure(message: "number too long", offset: start) }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        if isInteger {
            guard let i = Int64(text) else { throw Failure(message: "integer out of 64-bit range", offset: start) }
            return .int(i)
        }
        guard let d = Double(text), d.isFinite else { throw Failure(message: "number out of range", offset: start) }
        return .double(d)
    }
}
