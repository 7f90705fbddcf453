/// Expressions, with jinja2's precedence (lowest first): `x if c else y`, `or`, `and`, `not`, comparisons and
/// `in`, `+ -`, `~`, `* / // %`, `**`, unary `- +`, then postfix `.a [i] (args)` and filters/tests.
extension TemplateParser {
    func node(_ kind: TemplateExpr.Kind, _ line: Int, _ children: [TemplateExpr]) throws(TemplateError)
        -> TemplateExpr
    {
        let e = TemplateExpr(kind, line: line, children: children)
        guard e.depth <= 2 * TemplateLimits.maxParseDepth else {
            throw TemplateError(.limit, "expression nested deeper than \(2 * TemplateLimits.maxParseDepth)", line: line)
        }
        return e
    }

    private mutating func enter() throws(TemplateError) {
        expressionNesting += 1
        guard expressionNesting <= 2 * TemplateLimits.maxParseDepth else {
            throw fail("expression nested deeper than \(2 * TemplateLimits.maxParseDepth)", .limit)
        }
    }

    /// jinja2's `parse_tuple`: one expression, or a tuple when commas separate several.
    mutating func tuple(conditionalExpressions: Bool = true, endNames: Set<String> = [], parenthesized: Bool = false)
        throws(TemplateError) -> TemplateExpr
    {
        let line = current.line
        var items: [TemplateExpr] = []
        var isTuple = false
        while true {
            if !items.isEmpty { try expectOp(",") }
            if atTupleEnd(endNames) { break }
            items.append(try expression(conditional: conditionalExpressions))
            if isOp(",") { isTuple = true } else { break }
        }
        if !isTuple {
            if let only = items.first { return only }
            if !parenthesized { throw fail("expected an expression, got \(current.display)") }
        }
        return try node(.tuple(items), line, items)
    }

    private func atTupleEnd(_ endNames: Set<String>) -> Bool {
        switch current.kind {
        case .variableEnd, .blockEnd, .op(")"): return true
        case let .name(n): return endNames.contains(n)
        default: return false
        }
    }

    mutating func expression(conditional: Bool = true) throws(TemplateError) -> TemplateExpr {
        try enter()
        defer { expressionNesting -= 1 }
        var e = try or()
        guard conditional else { return e }
        while isName("if") {
            let line = current.line
            advance()
            let test = try or()
            var otherwise: TemplateExpr?
            if isName("else") {
                advance()
                otherwise = try expression()
            }
            e = try node(.conditional(test: test, then: e, otherwise: otherwise), line, [test, e] + (otherwise.map { [$0] } ?? []))
        }
        return e
    }

    private mutating func or() throws(TemplateError) -> TemplateExpr {
        var left = try and()
        while isName("or") {
            let line = current.line
            advance()
            let right = try and()
            left = try node(.or(left, right), line, [left, right])
        }
        return left
    }

    private mutating func and() throws(TemplateError) -> TemplateExpr {
        var left = try not()
        while isName("and") {
            let line = current.line
            advance()
            let right = try not()
            left = try node(.and(left, right), line, [left, right])
        }
        return left
    }

    private mutating func not() throws(TemplateError) -> TemplateExpr {
        guard isName("not") else { return try compare() }
        let line = current.line
        advance()
        try enter()
        defer { expressionNesting -= 1 }
        let operand = try not()
        return try node(.not(operand), line, [operand])
    }

    private mutating func compare() throws(TemplateError) -> TemplateExpr {
        let line = current.line
        let first = try math1()
        var steps: [TemplateComparison] = []
        while true {
            var op: TemplateComparisonOperator?
            switch current.kind {
            case let .op(o): op = TemplateComparisonOperator(rawValue: o).flatMap { $0 == .in || $0 == .notIn ? nil : $0 }
            case .name("in"): op = .in
            case .name("not") where tokens[index + 1].kind == .name("in"):
                advance()
                op = .notIn
            default: break
            }
            guard let op else { break }
            advance()
            steps.append(TemplateComparison(op: op, operand: try math1()))
        }
        return steps.isEmpty ? first : try node(.compare(first, steps), line, [first] + steps.map(\.operand))
    }

    private mutating func binaryChain(_ ops: [String], _ operand: (inout TemplateParser) throws(TemplateError) -> TemplateExpr)
        throws(TemplateError) -> TemplateExpr
    {
        var left = try operand(&self)
        while case let .op(o) = current.kind, ops.contains(o), let op = TemplateBinaryOperator(rawValue: o) {
            let line = current.line
            advance()
            let right = try operand(&self)
            left = try node(.binary(op, left, right), line, [left, right])
        }
        return left
    }

    private mutating func math1() throws(TemplateError) -> TemplateExpr {
        try binaryChain(["+", "-"]) { (p: inout TemplateParser) throws(TemplateError) in try p.concat() }
    }

    private mutating func concat() throws(TemplateError) -> TemplateExpr {
        let line = current.line
        var parts = [try math2()]
        while isOp("~") {
            advance()
            parts.append(try math2())
        }
        return parts.count == 1 ? parts[0] : try node(.concat(parts), line, parts)
    }

    private mutating func math2() throws(TemplateError) -> TemplateExpr {
        try binaryChain(["*", "/", "//", "%"]) { (p: inout TemplateParser) throws(TemplateError) in try p.power() }
    }

    private mutating func power() throws(TemplateError) -> TemplateExpr {
        try binaryChain(["**"]) { (p: inout TemplateParser) throws(TemplateError) in try p.unary(filters: true) }
    }

    private mutating func unary(filters: Bool) throws(TemplateError) -> TemplateExpr {
        try enter()
        defer { expressionNesting -= 1 }
        let line = current.line
        var e: TemplateExpr
        if isOp("-") || isOp("+") {
            let negative = isOp("-")
            advance()
            let operand = try unary(filters: false)
            e = try node(negative ? .negative(operand) : .positive(operand), line, [operand])
        } else {
            e = try primary()
        }
        e = try postfix(e)
        return filters ? try filterExpression(e) : e
    }

    mutating func primary() throws(TemplateError) -> TemplateExpr {
        let line = current.line
        switch current.kind {
        case let .name(n):
            advance()
            switch n {
            case "true", "True": return try node(.constant(.bool(true)), line, [])
            case "false", "False": return try node(.constant(.bool(false)), line, [])
            case "none", "None": return try node(.constant(.none), line, [])
            default:
                if !macroNames.isEmpty { macroNames[macroNames.count - 1].insert(n) }
                return try node(.name(n), line, [])
            }
        case var .string(s):
            advance()
            // Adjacent string literals join, as in Python.
            while case let .string(more) = current.kind {
                s += more
                advance()
            }
            return try node(.constant(.string(s)), line, [])
        case let .integer(i):
            advance()
            return try node(.constant(.int(i)), line, [])
        case let .float(d):
            advance()
            return try node(.constant(.float(d)), line, [])
        case .op("("):
            advance()
            let e = try tuple(parenthesized: true)
            try expectOp(")")
            return e
        case .op("["):
            advance()
            var items: [TemplateExpr] = []
            while !isOp("]") {
                if !items.isEmpty { try expectOp(",") }
                if isOp("]") { break }
                items.append(try expression())
            }
            advance()
            return try node(.list(items), line, items)
        case .op("{"):
            advance()
            var entries: [TemplateDictEntry] = []
            while !isOp("}") {
                if !entries.isEmpty { try expectOp(",") }
                if isOp("}") { break }
                let key = try expression()
                try expectOp(":")
                entries.append(TemplateDictEntry(key: key, value: try expression()))
            }
            advance()
            return try node(.dict(entries), line, entries.flatMap { [$0.key, $0.value] })
        default:
            throw fail("unexpected \(current.display)")
        }
    }

    mutating func postfix(_ start: TemplateExpr) throws(TemplateError) -> TemplateExpr {
        var e = start
        while true {
            let line = current.line
            if isOp(".") {
                advance()
                switch current.kind {
                case let .name(n):
                    advance()
                    e = try node(.attribute(e, n), line, [e])
                case let .integer(i):
                    advance()
                    e = try node(.item(e, try node(.constant(.int(i)), line, [])), line, [e])
                default: throw fail("expected a name after '.', got \(current.display)")
                }
            } else if isOp("[") {
                advance()
                e = try subscription(e, line)
                try expectOp("]")
            } else if isOp("(") {
                let args = try arguments()
                e = try node(.call(e, args), line, [e] + args.all)
            } else {
                return e
            }
        }
    }

    /// `[i]` or a slice `[a:b:c]` with any part omitted.
    private mutating func subscription(_ base: TemplateExpr, _ line: Int) throws(TemplateError) -> TemplateExpr {
        var start: TemplateExpr?
        if !isOp(":") {
            start = try expression()
            if !isOp(":") { return try node(.item(base, start ?? base), line, [base] + (start.map { [$0] } ?? [])) }
        }
        advance()
        let stop: TemplateExpr? = isOp(":") || isOp("]") ? nil : try expression()
        var step: TemplateExpr?
        if isOp(":") {
            advance()
            step = isOp("]") ? nil : try expression()
        }
        let parts = [start, stop, step].compactMap { $0 }
        return try node(.slice(base, start: start, stop: stop, step: step), line, [base] + parts)
    }
}
