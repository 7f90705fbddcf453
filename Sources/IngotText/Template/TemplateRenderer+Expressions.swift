/// Expression evaluation: names, literals, lookups, operators with Python's semantics.
extension TemplateRenderer {
    func evaluate(_ e: TemplateExpr, _ scope: TemplateScope) throws(TemplateError) -> TemplateValue {
        switch e.kind {
        case let .constant(c):
            switch c {
            case .none: return .none
            case let .bool(b): return .bool(b)
            case let .int(i): return .int(i)
            case let .float(d): return .float(d)
            case let .string(s): return .string(s)
            }
        case let .name(n):
            return try lookup(n, scope)
        case let .list(items):
            return .list(try checked(try evalAll(items, scope)))
        case let .tuple(items):
            return .tuple(try checked(try evalAll(items, scope)))
        case let .dict(entries):
            var d = TemplateDict()
            for entry in entries {
                guard case let .string(key) = try eval(entry.key, scope) else {
                    throw TemplateError(.unsupported, "dict keys other than strings", line: entry.key.line)
                }
                d[key] = try eval(entry.value, scope)
            }
            return .dict(d)
        case let .attribute(base, name):
            return try attribute(of: try eval(base, scope), name)
        case let .item(base, key):
            return try item(of: try eval(base, scope), try eval(key, scope))
        case let .slice(base, start, stop, stepExpr):
            let value = try eval(base, scope)
            func bound(_ x: TemplateExpr?) throws(TemplateError) -> Int? {
                guard let x else { return nil }
                switch try eval(x, scope) {
                case .none: return nil
                case let .int(i): return Int(i)
                case let .bool(b): return b ? 1 : 0
                default: throw TemplateError(.type, "slice indices must be integers or None")
                }
            }
            return try slice(value, bound(start), bound(stop), bound(stepExpr))
        case let .call(callee, arguments):
            return try call(try eval(callee, scope), arguments, scope, caller: nil, line: e.line)
        case let .filter(base, call):
            return try applyFilter(call, to: try eval(base, scope), scope)
        case let .test(base, call):
            let result = try applyTest(call, to: try eval(base, scope), scope)
            return .bool(result != call.negated)
        case let .negative(x):
            switch try eval(x, scope).number {
            case let .int(i)?:
                guard i != .min else { throw overflow() }
                return .int(-i)
            case let .float(d)?: return .float(-d)
            case nil: throw try unaryError("-", x, scope)
            }
        case let .positive(x):
            switch try eval(x, scope).number {
            case let .int(i)?: return .int(i)
            case let .float(d)?: return .float(d)
            case nil: throw try unaryError("+", x, scope)
            }
        case let .not(x):
            return .bool(!(try eval(x, scope).truthy))
        case let .binary(op, l, r):
            return try binary(op, try eval(l, scope), try eval(r, scope))
        case let .and(l, r):
            let left = try eval(l, scope)
            return left.truthy ? try eval(r, scope) : left
        case let .or(l, r):
            let left = try eval(l, scope)
            return left.truthy ? left : try eval(r, scope)
        case let .compare(first, comparisons):
            var left = try eval(first, scope)
            for c in comparisons {
                let right = try eval(c.operand, scope)
                guard try compare(c.op, left, right) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case let .concat(parts):
            var s = ""
            for p in parts { s += try eval(p, scope).str() }
            return .string(try checked(s))
        case let .conditional(test, then, otherwise):
            if try eval(test, scope).truthy { return try eval(then, scope) }
            if let otherwise { return try eval(otherwise, scope) }
            return .undefined("the inline if-expression on line \(e.line) evaluated to false and no else section was defined.")
        }
    }

    func evalAll(_ items: [TemplateExpr], _ scope: TemplateScope) throws(TemplateError) -> [TemplateValue] {
        var out: [TemplateValue] = []
        out.reserveCapacity(items.count)
        for item in items { out.append(try eval(item, scope)) }
        return out
    }

    private func lookup(_ name: String, _ scope: TemplateScope) throws(TemplateError) -> TemplateValue {
        if let v = scope.lookup(name) { return v }
        switch name {
        case "range": return .function(.range)
        case "namespace": return .function(.namespace)
        case "dict": return .function(.dict)
        case "raise_exception": return .function(.raiseException)
        case "strftime_now": return .function(.strftimeNow)
        case "lipsum", "cycler", "joiner": throw TemplateError(.unsupported, "unsupported global '\(name)'")
        default: return .undefinedName(name)
        }
    }

    private func overflow() -> TemplateError {
        TemplateError(.unsupported, "integer result outside the 64-bit range")
    }

    private func unaryError(_ op: String, _ x: TemplateExpr, _ scope: TemplateScope) throws(TemplateError)
        -> TemplateError
    {
        let v = try eval(x, scope)
        if case let .undefined(message) = v { return TemplateError(.undefined, message) }
        return TemplateError(.type, "bad operand type for unary \(op): '\(v.typeName)'")
    }

    func compare(_ op: TemplateComparisonOperator, _ a: TemplateValue, _ b: TemplateValue) throws(TemplateError) -> Bool {
        switch op {
        case .equal: return try TemplateValue.equal(a, b)
        case .notEqual: return !(try TemplateValue.equal(a, b))
        case .less: return try TemplateValue.less(a, b, "<")
        case .greater: return try TemplateValue.less(b, a, ">")
        case .lessOrEqual: return !(try TemplateValue.less(b, a, "<="))
        case .greaterOrEqual: return !(try TemplateValue.less(a, b, ">="))
        case .in: return try a.isIn(b)
        case .notIn: return !(try a.isIn(b))
        }
    }

    /// Python's arithmetic: int stays int (overflow is an error, Python would grow it), `/` is always float,
    /// `//` and `%` floor toward negative infinity, `+`/`*` also join and repeat strings and lists.
    func binary(_ op: TemplateBinaryOperator, _ a: TemplateValue, _ b: TemplateValue) throws(TemplateError)
        -> TemplateValue
    {
        if let x = a.number, let y = b.number { return try TemplateArithmetic.apply(op, x, y) }
        if let result = try markupBinary(op, a, b) { return result }
        switch (op, a.plain, b.plain) {
        case let (.add, .string(x), .string(y)): return .string(try checked(x + y))
        case let (.add, .list(x), .list(y)): return .list(try checked(x + y))
        case let (.add, .tuple(x), .tuple(y)): return .tuple(try checked(x + y))
        case let (.multiply, .string(s), n), let (.multiply, n, .string(s)):
            guard case let .int(k)? = n.number else { break }
            let bytes = Int64(s.utf8.count).multipliedReportingOverflow(by: max(k, 0))
            guard !bytes.overflow, bytes.partialValue <= limits.maxOutputBytes else {
                throw TemplateError(.limit, "string larger than \(limits.maxOutputBytes) bytes")
            }
            return .string(try checked(String(repeating: s, count: Int(max(k, 0)))))
        case let (.multiply, .list(items), n), let (.multiply, n, .list(items)),
            let (.multiply, .tuple(items), n), let (.multiply, n, .tuple(items)):
            guard case let .int(k)? = n.number else { break }
            let count = Int64(items.count).multipliedReportingOverflow(by: max(k, 0))
            guard !count.overflow, count.partialValue <= limits.maxItems else {
                throw TemplateError(.limit, "list longer than \(limits.maxItems) items")
            }
            var out: [TemplateValue] = []
            for _ in 0..<max(k, 0) { out += items }
            if case .tuple = a { return .tuple(try checked(out)) }
            if case .tuple = b { return .tuple(try checked(out)) }
            return .list(try checked(out))
        case let (.modulo, .string(s), arguments):
            return .string(try checked(try PythonPercentFormat.format(s, arguments)))
        default: break
        }
        if case let .undefined(message) = a { throw TemplateError(.undefined, message) }
        if case let .undefined(message) = b { throw TemplateError(.undefined, message) }
        switch (op, a) {
        case (.add, .string), (.add, .list), (.add, .tuple):
            throw TemplateError(.type, "can only concatenate \(a.typeName) (not \"\(b.typeName)\") to \(a.typeName)")
        default:
            throw TemplateError(
                .type, "unsupported operand type(s) for \(op.rawValue): '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    /// markupsafe's operators: `+` escapes a plain string operand, `*` repeats, `%` escapes its arguments; the
    /// result is Markup again. Nil when neither operand is Markup.
    private func markupBinary(_ op: TemplateBinaryOperator, _ a: TemplateValue, _ b: TemplateValue)
        throws(TemplateError) -> TemplateValue?
    {
        switch (op, a, b) {
        case let (.add, .markup(x), .markup(y)): return .markup(try checked(x + y))
        case let (.add, .markup(x), .string(y)): return .markup(try checked(x + TemplateValue.escapeHTML(y)))
        case let (.add, .string(x), .markup(y)): return .markup(try checked(TemplateValue.escapeHTML(x) + y))
        case (.multiply, .markup, _), (.multiply, _, .markup):
            guard case let .string(repeated)? = try? binary(.multiply, a.plain, b.plain) else { return nil }
            return .markup(repeated)
        case let (.modulo, .markup(s), arguments):
            return .markup(try checked(try PythonPercentFormat.format(s, arguments, escaping: true)))
        default: return nil
        }
    }

    /// Python's indexing and slicing of lists, tuples and strings (by code point, negative from the end).
    func slice(_ original: TemplateValue, _ start: Int?, _ stop: Int?, _ step: Int?) throws(TemplateError)
        -> TemplateValue
    {
        let value = original.plain
        let stride = step ?? 1
        guard stride != 0 else { throw TemplateError(.type, "slice step cannot be zero") }
        switch value {
        case let .list(items), let .tuple(items):
            let picked = PythonString.sliceIndices(count: items.count, start: start, stop: stop, step: stride)
            let out = try checked(picked.map { items[$0] })
            if case .tuple = value { return .tuple(out) }
            return .list(out)
        case let .string(s):
            let a = PythonString.scalars(s)
            let picked = PythonString.sliceIndices(count: a.count, start: start, stop: stop, step: stride)
            return .string(try checked(PythonString.string(picked.map { a[$0] })))
        case let .undefined(message):
            throw TemplateError(.undefined, message)
        default:
            throw TemplateError(.type, "'\(value.typeName)' object is not subscriptable")
        }
    }
}
