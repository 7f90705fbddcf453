/// Builds the statement tree from tokens, following jinja2's parser (the same grammar, the same precedence),
/// and refusing what Ingot does not implement with an error naming the tag and line.
struct TemplateParser {
    let tokens: [TemplateToken]
    var index = 0
    /// Open block tags; capped so that rendering nested bodies cannot exhaust the stack.
    var blockDepth = 0
    /// Parser recursion inside one expression (parentheses, `not`, unary signs), capped for the same reason.
    var expressionNesting = 0
    /// Enclosing `for` loops of the innermost macro body (`break`/`continue` need one).
    var loopDepth = 0
    /// Names read inside each macro being parsed (jinja2 accepts extra arguments only if the body reads
    /// `varargs`/`kwargs`, and a call block only if it reads `caller`).
    var macroNames: [Set<String>] = []

    /// Tags jinja2 knows that Ingot does not run (no loader, no extensions beyond loop controls).
    private static let unsupportedTags: Set<String> = [
        "include", "import", "from", "extends", "block", "autoescape", "do", "trans", "pluralize", "print",
        "debug", "endblock",
    ]

    static func parse(_ source: String) throws(TemplateError) -> [TemplateNode] {
        var parser = TemplateParser(tokens: try TemplateLexer.tokenize(source))
        let (nodes, _) = try parser.body(until: [])
        try TemplateNameCheck.check(nodes, soft: false)
        return nodes
    }

    init(tokens: [TemplateToken]) { self.tokens = tokens }

    var current: TemplateToken { tokens[index] }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    func fail(_ message: String, _ kind: TemplateError.Kind = .syntax) -> TemplateError {
        TemplateError(kind, message, line: current.line)
    }

    func isName(_ name: String) -> Bool {
        if case let .name(n) = current.kind { return n == name }
        return false
    }

    func isOp(_ op: String) -> Bool {
        if case let .op(o) = current.kind { return o == op }
        return false
    }

    mutating func expectOp(_ op: String) throws(TemplateError) {
        guard isOp(op) else { throw fail("expected '\(op)', got \(current.display)") }
        advance()
    }

    mutating func expectName() throws(TemplateError) -> String {
        guard case let .name(n) = current.kind else { throw fail("expected a name, got \(current.display)") }
        advance()
        return n
    }

    mutating func expectBlockEnd() throws(TemplateError) {
        guard current.kind == .blockEnd else { throw fail("expected end of block tag, got \(current.display)") }
        advance()
    }

    /// Statements until `{% name` for a name in `ends` (consumed, and returned) or, with no `ends`, the end.
    mutating func body(until ends: Set<String>) throws(TemplateError) -> ([TemplateNode], String) {
        var nodes: [TemplateNode] = []
        while true {
            switch current.kind {
            case let .data(text):
                nodes.append(.text(text))
                advance()
            case .variableBegin:
                advance()
                let e = try tuple()
                guard current.kind == .variableEnd else { throw fail("expected '}}', got \(current.display)") }
                advance()
                nodes.append(.output(e))
            case .blockBegin:
                advance()
                guard case let .name(tag) = current.kind else { throw fail("expected a tag name, got \(current.display)") }
                if ends.contains(tag) {
                    advance()
                    return (nodes, tag)
                }
                advance()
                nodes.append(try statement(tag))
            case .end:
                guard ends.isEmpty else {
                    throw fail("unexpected end of template; expected " + ends.sorted().map { "'\($0)'" }.joined(separator: " or "))
                }
                return (nodes, "")
            default:
                throw fail("unexpected \(current.display)")
            }
        }
    }

    /// A body nested one block deeper.
    mutating func nested(until ends: Set<String>) throws(TemplateError) -> ([TemplateNode], String) {
        blockDepth += 1
        defer { blockDepth -= 1 }
        guard blockDepth <= TemplateLimits.maxParseDepth else {
            throw fail("block tags nested deeper than \(TemplateLimits.maxParseDepth)", .limit)
        }
        return try body(until: ends)
    }

    private mutating func statement(_ tag: String) throws(TemplateError) -> TemplateNode {
        let line = tokens[index - 1].line
        switch tag {
        case "if": return try ifStatement()
        case "for": return try forStatement(line: line)
        case "set": return try setStatement(line: line)
        case "macro": return try macroStatement(line: line)
        case "call": return try callStatement(line: line)
        case "filter":
            let filters = try filterChain(first: true)
            try expectBlockEnd()
            let (body, _) = try nested(until: ["endfilter"])
            try expectBlockEnd()
            return .filterBlock(filters: filters, body: body)
        case "with":
            var assignments: [(TemplateTarget, TemplateExpr)] = []
            while current.kind != .blockEnd {
                if !assignments.isEmpty { try expectOp(",") }
                let target = try assignTarget(namespace: false)
                try expectOp("=")
                assignments.append((target, try expression()))
            }
            try expectBlockEnd()
            let (body, _) = try nested(until: ["endwith"])
            try expectBlockEnd()
            return .scoped(assignments: assignments, body: body)
        case "generation":
            // transformers' AssistantTracker tag: it only marks where the assistant's text is; renders the body.
            try expectBlockEnd()
            let (body, _) = try nested(until: ["endgeneration"])
            try expectBlockEnd()
            return .scoped(assignments: [], body: body)
        case "break", "continue":
            guard loopDepth > 0 else { throw TemplateError(.syntax, "'\(tag)' outside a loop", line: line) }
            try expectBlockEnd()
            return .loopControl(isBreak: tag == "break", line: line)
        default:
            if Self.unsupportedTags.contains(tag) {
                throw TemplateError(.unsupported, "unsupported tag '\(tag)'", line: line)
            }
            if tag.hasPrefix("end") || tag == "else" || tag == "elif" {
                throw TemplateError(.syntax, "unexpected tag '\(tag)'", line: line)
            }
            throw TemplateError(.unsupported, "unknown tag '\(tag)'", line: line)
        }
    }

    private mutating func ifStatement() throws(TemplateError) -> TemplateNode {
        var branches: [TemplateBranch] = []
        while true {
            let condition = try tuple(conditionalExpressions: false)
            try expectBlockEnd()
            let (body, end) = try nested(until: ["elif", "else", "endif"])
            branches.append(TemplateBranch(condition: condition, body: body))
            switch end {
            case "elif": continue
            case "else":
                try expectBlockEnd()
                let (otherwise, _) = try nested(until: ["endif"])
                try expectBlockEnd()
                return .conditional(branches, otherwise: otherwise)
            default:
                try expectBlockEnd()
                return .conditional(branches, otherwise: [])
            }
        }
    }

    private mutating func forStatement(line: Int) throws(TemplateError) -> TemplateNode {
        let target = try assignTarget(namespace: false, endNames: ["in"])
        guard isName("in") else { throw fail("expected 'in', got \(current.display)") }
        advance()
        let iterable = try tuple(conditionalExpressions: false, endNames: ["recursive"])
        var condition: TemplateExpr?
        if isName("if") {
            advance()
            condition = try expression()
        }
        if isName("recursive") { throw fail("unsupported recursive loops", .unsupported) }
        try expectBlockEnd()
        loopDepth += 1
        let (body, end) = try nested(until: ["endfor", "else"])
        loopDepth -= 1
        var otherwise: [TemplateNode] = []
        if end == "else" {
            try expectBlockEnd()
            (otherwise, _) = try nested(until: ["endfor"])
        }
        try expectBlockEnd()
        return .loop(
            TemplateLoop(
                target: target, iterable: iterable, condition: condition, body: body, otherwise: otherwise, line: line))
    }

    private mutating func setStatement(line: Int) throws(TemplateError) -> TemplateNode {
        let target = try assignTarget(namespace: true)
        if isOp("=") {
            advance()
            let value = try tuple()
            try expectBlockEnd()
            return .assign(target, value, line: line)
        }
        let filters = try filterChain(first: false)
        try expectBlockEnd()
        let (body, _) = try nested(until: ["endset"])
        try expectBlockEnd()
        return .assignBlock(target, filters: filters, body: body, line: line)
    }

    /// `(a, b=expr, …)` of a macro or a call block.
    private mutating func signature() throws(TemplateError) -> ([String], [TemplateExpr?]) {
        try expectOp("(")
        var names: [String] = []
        var defaults: [TemplateExpr?] = []
        while !isOp(")") {
            if !names.isEmpty { try expectOp(",") }
            if isOp(")") { break }
            let name = try expectName()
            if isOp("=") {
                advance()
                defaults.append(try expression())
            } else {
                if defaults.contains(where: { $0 != nil }) { throw fail("non-default argument follows default argument") }
                defaults.append(nil)
            }
            names.append(name)
        }
        advance()
        return (names, defaults)
    }

    /// A macro body is its own loop context: `break` inside it needs a loop inside it.
    private mutating func macroBody(end: String) throws(TemplateError) -> ([TemplateNode], Set<String>) {
        let outerLoops = loopDepth
        loopDepth = 0
        macroNames.append([])
        defer { loopDepth = outerLoops }
        let (body, _) = try nested(until: [end])
        let names = macroNames.removeLast()
        if !macroNames.isEmpty { macroNames[macroNames.count - 1].formUnion(names) }
        try expectBlockEnd()
        return (body, names)
    }

    private mutating func macroStatement(line: Int) throws(TemplateError) -> TemplateNode {
        let name = try expectName()
        let (parameters, defaults) = try signature()
        try expectBlockEnd()
        let (body, names) = try macroBody(end: "endmacro")
        return .macro(
            TemplateMacroDefinition(
                name: name, parameters: parameters, defaults: defaults, body: body,
                usesVarargs: names.contains("varargs"), usesKwargs: names.contains("kwargs"),
                usesCaller: names.contains("caller"), line: line))
    }

    private mutating func callStatement(line: Int) throws(TemplateError) -> TemplateNode {
        var parameters: [String] = []
        var defaults: [TemplateExpr?] = []
        if isOp("(") { (parameters, defaults) = try signature() }
        let call = try expression()
        guard case .call = call.kind else { throw TemplateError(.syntax, "expected a macro call", line: line) }
        try expectBlockEnd()
        let (body, names) = try macroBody(end: "endcall")
        let caller = TemplateMacroDefinition(
            name: "caller", parameters: parameters, defaults: defaults, body: body,
            usesVarargs: names.contains("varargs"), usesKwargs: names.contains("kwargs"),
            usesCaller: names.contains("caller"), line: line)
        return .callBlock(caller, call: call)
    }

    /// A `set`/`for`/`with` target: a name, `ns.attr` (set only) or names separated by commas.
    mutating func assignTarget(namespace: Bool, endNames: Set<String> = []) throws(TemplateError) -> TemplateTarget {
        let first = try expectName()
        if namespace, isOp(".") {
            advance()
            return .attribute(first, try expectName())
        }
        var names = [first]
        while isOp(",") {
            advance()
            if case let .name(n) = current.kind, !endNames.contains(n) {
                names.append(n)
                advance()
            } else {
                break
            }
        }
        return names.count == 1 && !tokens[index - 1].isComma ? .name(first) : .tuple(names)
    }
}

extension TemplateToken {
    var isComma: Bool { kind == .op(",") }
}
