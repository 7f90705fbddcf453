import IngotFormat

/// Python's `str`, `repr`, `==`, `<`, `in` and iteration over template values, as jinja2 applies them.
extension TemplateValue {
    /// Containers nested deeper than this are refused when printed, compared or serialised (a template can
    /// build `[[[…]]]` in a loop; the recursion must stay bounded).
    static let maxNesting = 256

    static func nestingError() -> TemplateError {
        TemplateError(.limit, "value nested deeper than \(maxNesting)")
    }

    /// `str(value)`: what `{{ value }}`, `~` and the `string` filter produce. Undefined is empty.
    func str() throws(TemplateError) -> String {
        switch self {
        case .undefined: ""
        case let .string(s), let .markup(s): s
        default: try repr(depth: 0)
        }
    }

    /// `repr(value)`, which Python's `str` of a container applies to its items.
    func repr(depth: Int) throws(TemplateError) -> String {
        guard depth <= Self.maxNesting else { throw Self.nestingError() }
        switch self {
        case .undefined: return "Undefined"
        case .none: return "None"
        case let .bool(b): return b ? "True" : "False"
        case let .int(i): return String(i)
        case let .float(d): return PythonRepr.float(d)
        case let .string(s): return PythonRepr.string(s)
        case let .list(items):
            return "[" + (try Self.joinedRepr(items, depth)) + "]"
        case let .tuple(items):
            return "(" + (try Self.joinedRepr(items, depth)) + (items.count == 1 ? ",)" : ")")
        case let .dict(d): return try Self.dictRepr(d, depth)
        case let .namespace(ns): return "<Namespace " + (try Self.dictRepr(ns.attributes, depth)) + ">"
        case let .macro(m): return "<Macro '\(m.definition.name)'>"
        case let .function(f): return "<function \(f.rawValue)>"
        case let .method(receiver, name): return "<built-in method \(name) of \(receiver.typeName) object>"
        case let .loop(l): return "<LoopContext \(l.index0 + 1)/\(l.items.count)>"
        // Python adds the object's address, which no other run reproduces.
        case let .iterator(it):
            return it.typeName == "generator" ? "<generator object \(it.function)>" : "<\(it.typeName) object>"
        case let .view(v): return v.kind.rawValue + "([" + (try Self.joinedRepr(v.items, depth)) + "])"
        case let .markup(s): return "Markup(" + PythonRepr.string(s) + ")"
        }
    }

    private static func joinedRepr(_ items: [TemplateValue], _ depth: Int) throws(TemplateError) -> String {
        var parts: [String] = []
        parts.reserveCapacity(items.count)
        for item in items { parts.append(try item.repr(depth: depth + 1)) }
        return parts.joined(separator: ", ")
    }

    private static func dictRepr(_ d: TemplateDict, _ depth: Int) throws(TemplateError) -> String {
        var parts: [String] = []
        for (k, v) in d.pairs { parts.append(PythonRepr.string(k) + ": " + (try v.repr(depth: depth + 1))) }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    /// Python's `==`: numbers by value across int/float/bool, strings by code points, containers item by item
    /// (dicts regardless of order), undefined equal only to undefined.
    static func equal(_ a: TemplateValue, _ b: TemplateValue, depth: Int = 0) throws(TemplateError) -> Bool {
        guard depth <= maxNesting else { throw nestingError() }
        switch (a.plain, b.plain) {
        case (.undefined, .undefined), (.none, .none): return true
        case let (.string(x), .string(y)): return sameScalars(x, y)
        case let (.list(x), .list(y)), let (.tuple(x), .tuple(y)):
            guard x.count == y.count else { return false }
            for (p, q) in zip(x, y) where !(try equal(p, q, depth: depth + 1)) { return false }
            return true
        case let (.dict(x), .dict(y)):
            guard x.count == y.count else { return false }
            for (k, v) in x.pairs {
                guard let w = y[k], try equal(v, w, depth: depth + 1) else { return false }
            }
            return true
        case let (.namespace(x), .namespace(y)): return x === y
        case let (.loop(x), .loop(y)): return x === y
        case let (.iterator(x), .iterator(y)): return x === y
        case let (.view(x), .view(y)):
            // Key and item views compare as sets; value views only by identity (never equal here).
            guard x.kind != .values, y.kind != .values, x.items.count == y.items.count else { return false }
            for item in x.items where !(try item.isIn(.list(y.items))) { return false }
            return true
        default:
            guard let x = a.number, let y = b.number else { return false }
            return numbersEqual(x, y)
        }
    }

    /// Exact int/float equality, as Python compares them (no rounding of the integer).
    static func numbersEqual(_ x: TemplateNumber, _ y: TemplateNumber) -> Bool {
        switch (x, y) {
        case let (.int(i), .int(j)): return i == j
        case let (.float(d), .float(e)): return d == e
        case let (.int(i), .float(d)), let (.float(d), .int(i)):
            guard d.rounded(.towardZero) == d, d >= -0x1p63, d < 0x1p63 else { return false }
            return Int64(d) == i
        }
    }

    /// Python's `<`; a TypeError for values it cannot order.
    static func less(_ a: TemplateValue, _ b: TemplateValue, _ op: String = "<", depth: Int = 0) throws(TemplateError)
        -> Bool
    {
        guard depth <= maxNesting else { throw nestingError() }
        switch (a.plain, b.plain) {
        case let (.string(x), .string(y)):
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) { $0.value < $1.value }
        case let (.list(x), .list(y)), let (.tuple(x), .tuple(y)):
            for (p, q) in zip(x, y) where !(try equal(p, q, depth: depth + 1)) {
                return try less(p, q, op, depth: depth + 1)
            }
            return x.count < y.count
        default:
            guard let x = a.number, let y = b.number else {
                if case let .undefined(message) = a { throw TemplateError(.undefined, message) }
                if case let .undefined(message) = b { throw TemplateError(.undefined, message) }
                throw TemplateError(
                    .type, "'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
            }
            if case let .int(i) = x, case let .int(j) = y { return i < j }
            return x.double < y.double
        }
    }

    /// `self in container`.
    func isIn(_ container: TemplateValue) throws(TemplateError) -> Bool {
        let needle = plain
        switch container.plain {
        case .undefined: return false
        case let .string(s):
            guard case let .string(text) = needle else {
                throw TemplateError(.type, "'in <string>' requires string as left operand, not \(typeName)")
            }
            return PythonString.contains(s, text)
        case let .list(items), let .tuple(items):
            for item in items where try Self.equal(needle, item) { return true }
            return false
        case let .view(v):
            for item in v.items where try Self.equal(needle, item) { return true }
            return false
        case let .dict(d):
            if case let .string(key) = needle { return d[key] != nil }
            return false
        case let .iterator(it):
            // Python's `in` reads an iterator up to the first match, consuming what it reads.
            while let item = try it.next() {
                if try Self.equal(needle, item) { return true }
            }
            return false
        default:
            throw TemplateError(.type, "argument of type '\(container.typeName)' is not iterable")
        }
    }

    /// What `for x in value` visits: items, dict keys, characters; nothing for undefined.
    func iterate() throws(TemplateError) -> [TemplateValue] {
        switch plain {
        case .undefined: return []
        case let .list(items), let .tuple(items): return items
        case let .dict(d): return d.keys.map { .string($0) }
        case let .string(s): return s.unicodeScalars.map { .string(String(Character($0))) }
        case let .iterator(it): return try it.drain()
        case let .view(v): return v.items
        default: throw TemplateError(.type, "'\(typeName)' object is not iterable")
        }
    }

    /// `len(value)`; undefined has length 0, as in jinja2.
    func length() throws(TemplateError) -> Int {
        switch plain {
        case .undefined: return 0
        case let .string(s): return PythonString.length(s)
        case let .list(items), let .tuple(items): return items.count
        case let .dict(d): return d.count
        case let .view(v): return v.items.count
        default: throw TemplateError(.type, "object of type '\(typeName)' has no len()")
        }
    }
}
