#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// jinja2's filters (with transformers' `tojson`), each with the argument names and defaults jinja2 gives it.
extension TemplateRenderer {
    func applyFilter(_ call: TemplateFilterCall, to value: TemplateValue, _ scope: TemplateScope)
        throws(TemplateError) -> TemplateValue
    {
        var args = TemplateCallArguments(try evalAll(call.arguments.positional, scope))
        for (name, e) in call.arguments.keyword { args.keyword.append((name, try eval(e, scope))) }
        guard let f = call.filter else {
            throw TemplateError(.unsupported, "unsupported filter '\(call.name)'", line: call.line)
        }
        do {
            return try filter(f, call.name, value, args)
        } catch {
            throw error.at(call.line)
        }
    }

    func filter(_ f: TemplateFilter, _ name: String, _ value: TemplateValue, _ args: TemplateCallArguments)
        throws(TemplateError) -> TemplateValue
    {
        func bind(_ names: [String]) throws(TemplateError) -> [TemplateValue?] { try args.bind(names, name) }
        func text() throws(TemplateError) -> String { try value.str() }
        let value = f == .safe || f == .escape ? value : value.plain
        switch f {
        case .default:
            let b = try bind(["default_value", "boolean"])
            let useDefault = value.isUndefined || ((b[1]?.truthy ?? false) && !value.truthy)
            return useDefault ? b[0] ?? .string("") : value
        case .trim:
            let chars = try bind(["chars"])[0]
            return .string(PythonString.strip(try text(), chars.isAbsent ? nil : try chars?.str(), left: true, right: true))
        case .length:
            _ = try bind([])
            return .int(Int64(try value.length()))
        case .string:
            _ = try bind([])
            return .string(try text())
        case .safe:
            _ = try bind([])
            // Markup(value): printed as is (transformers renders without autoescaping).
            return .markup(try text())
        case .escape:
            _ = try bind([])
            if value.isMarkup { return value }
            return .markup(try checked(TemplateValue.escapeHTML(try text())))
        case .upper: _ = try bind([]); return .string(try text().uppercased())
        case .lower: _ = try bind([]); return .string(try text().lowercased())
        case .title: _ = try bind([]); return .string(PythonString.jinjaTitle(try text()))
        case .capitalize: _ = try bind([]); return .string(PythonString.capitalize(try text()))
        case .replace:
            let b = try bind(["old", "new", "count"])
            guard let old = b[0], let new = b[1] else { throw TemplateError(.type, "replace() needs old and new") }
            let count = b[2].isAbsent ? -1 : try b[2]?.intArgument("count") ?? -1
            return .string(try checked(PythonString.replace(try text(), try old.str(), try new.str(), count: count)))
        case .join:
            let b = try bind(["d", "attribute"])
            var items = try value.iterate()
            if let attribute = b[1], !Optional(attribute).isAbsent {
                items = try items.map { v throws(TemplateError) in try self.path(v, attribute, default: nil) }
            }
            var parts: [String] = []
            for item in items { parts.append(try item.str()) }
            return .string(try checked(parts.joined(separator: try b[0]?.str() ?? "")))
        case .items:
            _ = try bind([])
            // do_items is a generator: the value is checked when the first pair is read.
            var pairs: [TemplateValue]?
            return .iterator(
                TemplateIterator(function: "do_items") { () throws(TemplateError) -> TemplateValue? in
                    if pairs == nil {
                        switch value {
                        case .undefined: pairs = []
                        case let .dict(d): pairs = d.pairs.map { .tuple([.string($0.0), $0.1]) }.reversed()
                        default: throw TemplateError(.type, "Can only get item pairs from a mapping.")
                        }
                    }
                    return pairs?.popLast()
                })
        case .first, .last:
            _ = try bind([])
            if case let .iterator(it) = value {
                // first: next(iter(x)) reads one item; last: reversed(x) refuses an iterator.
                guard f == .first else { throw TemplateError(.type, "'\(it.typeName)' object is not reversible") }
                return try it.next() ?? .undefined("No first item, sequence was empty.")
            }
            let items = try value.iterate()
            let picked = f == .first ? items.first : items.last
            return picked ?? .undefined("No \(name) item, sequence was empty.")
        case .list:
            _ = try bind([])
            return .list(try checked(try value.iterate()))
        case .reverse:
            _ = try bind([])
            // A string reversed; a list, tuple or dict gives Python's reversed() iterator; anything else that
            // iterates (an iterator) a reversed list.
            let typeName: String
            switch value {
            case let .string(s): return .string(PythonString.string(s.unicodeScalars.reversed()))
            case .list: typeName = "list_reverseiterator"
            case .dict: typeName = "dict_reversekeyiterator"
            case .tuple, .undefined: typeName = "reversed"
            case let .view(v): typeName = v.reversedTypeName
            default: return .list(try checked(try value.iterate().reversed()))
            }
            var items = try value.iterate()
            return .iterator(
                TemplateIterator(typeName: typeName, function: "reverse") { () throws(TemplateError) -> TemplateValue? in
                    items.popLast()
                })
        case .int, .float, .abs:
            // int()/float() of jinja2's Undefined raise UndefinedError, which the filters do not catch.
            if f != .abs, case let .undefined(message) = value { throw TemplateError(.undefined, message) }
            return try numberFilter(f, value, args)
        case .round:
            let b = try bind(["precision", "method"])
            return try round(value, precision: try b[0]?.intArgument("precision") ?? 0, method: try b[1]?.str() ?? "common")
        case .tojson:
            // transformers' tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False).
            let b = try bind(["ensure_ascii", "indent", "separators", "sort_keys"])
            var indent: String?
            switch b[1] {
            case nil, .none?: indent = nil
            case let .string(s)?: indent = s
            case let v?: indent = String(repeating: " ", count: max(0, try v.intArgument("indent")))
            }
            var separators: (String, String)?
            if let s = b[2], !Optional(s).isAbsent {
                guard let pair = s.sequence, pair.count == 2 else { throw TemplateError(.type, "separators must be a pair") }
                separators = (try pair[0].stringArgument("separator"), try pair[1].stringArgument("separator"))
            }
            let json = PythonJSON(
                indent: indent, separators: separators, sortKeys: b[3]?.truthy ?? false,
                ensureASCII: b[0]?.truthy ?? false)
            return .string(try checked(try json.dumps(value)))
        case .indent:
            let b = try bind(["width", "first", "blank"])
            // jinja2 appends "\n" to the value and calls splitlines(): only text can do both.
            if case .undefined(let message) = value { throw TemplateError(.undefined, message) }
            guard case .string = value else {
                throw TemplateError(.type, "unsupported operand type(s) for +=: '\(value.typeName)' and 'str'")
            }
            return .string(try checked(try indent(try text(), b)))
        case .center:
            let width = try bind(["width"])[0]?.intArgument("width") ?? 80
            let s = PythonString.scalars(try text())
            let pad = max(0, width - s.count)
            let left = pad / 2 + (pad & width & 1)
            return .string(String(repeating: " ", count: left) + PythonString.string(s) + String(repeating: " ", count: pad - left))
        case .wordcount:
            _ = try bind([])
            var count = 0
            var inWord = false
            for u in try text().unicodeScalars {
                let word = u == "_" || u.properties.isAlphabetic || u.properties.numericType != nil
                if word && !inWord { count += 1 }
                inWord = word
            }
            return .int(Int64(count))
        case .format:
            // `value % (args or kwargs)`, as jinja2's do_format.
            guard args.positional.isEmpty || args.keyword.isEmpty else {
                throw TemplateError(.type, "format() can't handle positional and keyword arguments at the same time")
            }
            var mapping = TemplateDict()
            for (k, v) in args.keyword { mapping[k] = v }
            let arguments: TemplateValue = args.keyword.isEmpty ? .tuple(args.positional) : .dict(mapping)
            return .string(try checked(try PythonPercentFormat.format(try text(), arguments)))
        case .attr:
            let b = try args.exactly(1, name)
            return try attribute(of: value, try b[0].stringArgument("attribute name"))
        case .map, .select, .reject, .selectattr, .rejectattr, .sort, .unique, .min, .max, .sum, .dictsort:
            return try collectionFilter(f, name, value, args)
        }
    }

    /// `int(default=0, base=10)`, `float(default=0.0)` and `abs`.
    private func numberFilter(_ f: TemplateFilter, _ value: TemplateValue, _ args: TemplateCallArguments)
        throws(TemplateError) -> TemplateValue
    {
        switch f {
        case .int:
            let b = try args.bind(["default", "base"], "int")
            return try toInt(value, default: b[0] ?? .int(0), base: try b[1]?.intArgument("base") ?? 10)
        case .float:
            let b = try args.bind(["default"], "float")
            return try toFloat(value) ?? b[0] ?? .float(0)
        default:
            _ = try args.bind([], "abs")
            switch value.number {
            case let .int(i)?:
                guard i != .min else { throw TemplateError(.unsupported, "integer result outside the 64-bit range") }
                return .int(Swift.abs(i))
            case let .float(d)?: return .float(Swift.abs(d))
            case nil: throw TemplateError(.type, "bad operand type for abs(): '\(value.typeName)'")
            }
        }
    }

    /// `int` filter: `int(value)` for strings in `base`, else `int(float(value))`, else the default.
    private func toInt(_ value: TemplateValue, default fallback: TemplateValue, base: Int) throws(TemplateError)
        -> TemplateValue
    {
        switch value {
        case let .int(i): return .int(i)
        case let .bool(b): return .int(b ? 1 : 0)
        case let .float(d):
            guard d.isFinite else { throw TemplateError(.type, "cannot convert float \(PythonRepr.float(d)) to integer") }
            guard d > -0x1p63, d < 0x1p63 else { throw TemplateError(.unsupported, "integer result outside the 64-bit range") }
            return .int(Int64(d.rounded(.towardZero)))
        case let .string(s):
            var t = PythonString.strip(s, nil, left: true, right: true)
            var sign: Int64 = 1
            if t.hasPrefix("-") || t.hasPrefix("+") {
                if t.hasPrefix("-") { sign = -1 }
                t.removeFirst()
            }
            let prefixes = [2: "0b", 8: "0o", 16: "0x"]
            if let p = prefixes[base], t.lowercased().hasPrefix(p) { t.removeFirst(2) }
            let digits = t.replacing("_", with: "")
            if !t.hasPrefix("_"), !t.hasSuffix("_"), !t.contains("__"), !digits.isEmpty,
                digits.allSatisfy({ $0.isASCII }), let v = Int64(digits, radix: base)
            {
                return .int(sign * v)
            }
            if let f = try toFloat(value), case let .float(d) = f, d.isFinite { return try toInt(f, default: fallback, base: base) }
            return fallback
        default:
            return fallback
        }
    }

    /// Python's `float(value)`, or nil where it raises.
    private func toFloat(_ value: TemplateValue) throws(TemplateError) -> TemplateValue? {
        switch value {
        case let .int(i): return .float(Double(i))
        case let .bool(b): return .float(b ? 1 : 0)
        case let .float(d): return .float(d)
        case let .string(s):
            let t = PythonString.strip(s, nil, left: true, right: true).lowercased()
            let unsigned = t.hasPrefix("-") || t.hasPrefix("+") ? String(t.dropFirst()) : t
            let negative = t.hasPrefix("-")
            if ["inf", "infinity"].contains(unsigned) { return .float(negative ? -.infinity : .infinity) }
            if unsigned == "nan" { return .float(.nan) }
            guard !unsigned.isEmpty, unsigned.allSatisfy({ $0.isASCII && ($0.isNumber || "._e+-".contains($0)) }),
                !unsigned.hasPrefix("."), unsigned.first != "e", !unsigned.contains("__"),
                let d = Double(unsigned.replacing("_", with: ""))
            else { return nil }
            return .float(negative ? -d : d)
        default:
            return nil
        }
    }

    /// `round(value, precision)` (Python rounds half to even on the exact binary value; C's `%.*f` does the
    /// same), or `floor`/`ceil`.
    private func round(_ value: TemplateValue, precision: Int, method: String) throws(TemplateError) -> TemplateValue {
        guard let n = value.number else { throw TemplateError(.type, "type \(value.typeName) doesn't define __round__ method") }
        switch method {
        case "common":
            if case let .int(i) = n, precision >= 0 { return .int(i) }
            let d = n.double
            guard d.isFinite, (0...300).contains(precision) else { return .float(d) }
            var buffer = [CChar](repeating: 0, count: 400)
            let written = withVaList([precision, d]) { vsnprintf(&buffer, buffer.count, "%.*f", $0) }
            guard written > 0, written < buffer.count else { return .float(d) }
            let digits = String(decoding: buffer.prefix(Int(written)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .float(Double(digits) ?? d)
        case "floor", "ceil":
            let scale = pow(10.0, Double(precision))
            let scaled = n.double * scale
            // math.floor/ceil return ints, so a negative zero comes back as 0.0 (adding +0.0 does the same).
            return .float(((method == "floor" ? scaled.rounded(.down) : scaled.rounded(.up)) + 0.0) / scale)
        default:
            throw TemplateError(.type, "method must be common, ceil or floor")
        }
    }

    /// jinja2's `indent(width=4, first=False, blank=False)`.
    private func indent(_ s: String, _ b: [TemplateValue?]) throws(TemplateError) -> String {
        let indention: String
        if case let .string(w)? = b[0] {
            indention = w
        } else {
            indention = String(repeating: " ", count: max(0, try b[0]?.intArgument("width") ?? 4))
        }
        let first = b[1]?.truthy ?? false
        let blank = b[2]?.truthy ?? false
        let lines = PythonString.splitLines(s + "\n", keepEnds: false)
        var rv: String
        if blank {
            rv = lines.joined(separator: "\n" + indention)
        } else {
            rv = lines.first ?? ""
            let rest = lines.dropFirst()
            if !rest.isEmpty { rv += "\n" + rest.map { $0.isEmpty ? $0 : indention + $0 }.joined(separator: "\n") }
        }
        return first ? indention + rv : rv
    }
}
