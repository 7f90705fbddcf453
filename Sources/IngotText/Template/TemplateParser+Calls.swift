/// Call arguments, filters (`| f(args)`) and tests (`is [not] t arg`), with jinja2's rules for each.
extension TemplateParser {
    /// `(a, b, name=c)`; `*args`/`**kwargs` are not supported.
    mutating func arguments() throws(TemplateError) -> TemplateArguments {
        try expectOp("(")
        var args = TemplateArguments()
        var first = true
        while !isOp(")") {
            if !first { try expectOp(",") }
            first = false
            if isOp(")") { break }
            if isOp("*") || isOp("**") { throw fail("unsupported *args/**kwargs in a call", .unsupported) }
            if case let .name(n) = current.kind, tokens[index + 1].kind == .op("=") {
                advance()
                advance()
                args.keyword.append((n, try expression()))
            } else {
                if !args.keyword.isEmpty { throw fail("positional argument follows keyword argument") }
                args.positional.append(try expression())
            }
        }
        advance()
        return args
    }

    /// Filters (`| f(args)`), tests (`is [not] t arg`) and calls of their results, left to right.
    mutating func filterExpression(_ start: TemplateExpr) throws(TemplateError) -> TemplateExpr {
        var e = start
        while true {
            let line = current.line
            if isOp("|") {
                advance()
                let call = try filterCall()
                e = try node(.filter(e, call), line, [e] + call.arguments.all)
            } else if isName("is") {
                advance()
                let call = try testCall()
                e = try node(.test(e, call), line, [e] + call.arguments.all)
            } else if isOp("(") {
                let args = try arguments()
                e = try node(.call(e, args), line, [e] + args.all)
            } else {
                return e
            }
        }
    }

    mutating func filterCall() throws(TemplateError) -> TemplateFilterCall {
        let line = current.line
        let name = try expectName()
        // An unknown name is kept: whether it is an error now or only when run depends on where it is (see
        // TemplateNameCheck).
        let filter = TemplateFilter.named(name)
        let args = isOp("(") ? try arguments() : TemplateArguments()
        return TemplateFilterCall(filter: filter, name: name, arguments: args, line: line)
    }

    /// `| a | b(c)` after `{% set x` or `{% filter` (`first`: the leading `|` is absent).
    mutating func filterChain(first: Bool) throws(TemplateError) -> [TemplateFilterCall] {
        var filters: [TemplateFilterCall] = []
        if first { filters.append(try filterCall()) }
        while isOp("|") {
            advance()
            filters.append(try filterCall())
        }
        return filters
    }

    mutating func testCall() throws(TemplateError) -> TemplateTestCall {
        let line = current.line
        var negated = false
        if isName("not") {
            negated = true
            advance()
        }
        let name = try expectName()
        let test = TemplateTest.named(name)
        var args = TemplateArguments()
        switch current.kind {
        case .op("("): args = try arguments()
        case .name("else"), .name("or"), .name("and"): break
        case .name("is"): throw fail("tests cannot be chained with 'is'")
        case .name, .string, .integer, .float, .op("["), .op("{"):
            args.positional = [try postfix(try primary())]
        default: break
        }
        return TemplateTestCall(test: test, name: name, arguments: args, negated: negated, line: line)
    }
}
