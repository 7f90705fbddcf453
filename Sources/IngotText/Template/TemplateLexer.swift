/// Splits a template into tokens exactly as jinja2's lexer does with `trim_blocks=True, lstrip_blocks=True`:
///
/// - newlines (`\r\n`, `\r`) become `\n` and one trailing newline is dropped (`keep_trailing_newline=False`);
/// - `{%-`/`{{-`/`{#-` strip all whitespace before the tag, `-%}`/`-}}`/`-#}` all whitespace after it;
/// - lstrip: spaces before a block or comment tag that starts a line are dropped (not before `{{`, not with `{%+`);
/// - trim: the first newline after `%}` or `#}` is dropped (not after `}}`, not with `+%}`);
/// - `{% raw %}…{% endraw %}` is text; `%}`/`}}` inside brackets do not end a tag (jinja2's balancing stack).
///
/// Works on Unicode scalars because jinja2's regular expressions (and Python strings) do.
struct TemplateLexer {
    private let s: [Unicode.Scalar]
    private var pos = 0
    private var line = 1
    /// jinja2's `line_starting`: the previous match ended with a newline, so text at `pos` starts a line.
    private var lineStarting = true
    private var tokens: [TemplateToken] = []

    private enum TagKind { case variable, block, comment, raw }

    static func tokenize(_ source: String) throws(TemplateError) -> [TemplateToken] {
        var lexer = TemplateLexer(normalized(source))
        try lexer.run()
        lexer.tokens.append(TemplateToken(kind: .end, line: lexer.line))
        return lexer.tokens
    }

    private init(_ scalars: [Unicode.Scalar]) { s = scalars }

    /// `\r\n` and `\r` → `\n`, then one trailing newline removed.
    private static func normalized(_ source: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(source.unicodeScalars.count)
        var previousCR = false
        for u in source.unicodeScalars {
            if u == "\n" && previousCR {
                previousCR = false
                continue
            }
            previousCR = u == "\r"
            out.append(u == "\r" ? "\n" : u)
        }
        if out.last == "\n" { out.removeLast() }
        return out
    }

    private func at(_ i: Int, _ literal: String) -> Bool {
        var j = i
        for u in literal.unicodeScalars {
            guard j < s.count, s[j] == u else { return false }
            j += 1
        }
        return true
    }

    private func fail(_ message: String) -> TemplateError { TemplateError(.syntax, message, line: line) }

    /// Moves to `newPos`, counting the newlines passed over.
    private mutating func advance(to newPos: Int) {
        for i in pos..<newPos where s[i] == "\n" { line += 1 }
        pos = newPos
    }

    private mutating func emitData(_ text: ArraySlice<Unicode.Scalar>) {
        guard !text.isEmpty else { return }
        var str = ""
        str.unicodeScalars.append(contentsOf: text)
        tokens.append(TemplateToken(kind: .data(str), line: line))
    }

    private mutating func run() throws(TemplateError) {
        while pos < s.count {
            guard let (start, kind, sign, openLength) = nextTag(from: pos) else {
                emitData(s[pos...])
                advance(to: s.count)
                return
            }
            var textEnd = start
            if sign == "-" {
                while textEnd > pos, PythonString.isSpace(s[textEnd - 1]) { textEnd -= 1 }
            } else if sign != "+" && kind != .variable {
                textEnd = lstripped(from: pos, to: start)
            }
            emitData(s[pos..<textEnd])
            advance(to: start)
            switch kind {
            case .comment: try comment(after: start + openLength)
            case .raw: try raw(after: start + openLength)
            case .variable, .block:
                tokens.append(TemplateToken(kind: kind == .variable ? .variableBegin : .blockBegin, line: line))
                advance(to: start + openLength)
                try tagBody(block: kind == .block)
            }
        }
    }

    /// lstrip_blocks: the end of the text once the whitespace between the last newline (or the start of a line)
    /// and the tag is removed; unchanged when anything but whitespace is there.
    private func lstripped(from begin: Int, to end: Int) -> Int {
        var lineStart = end
        while lineStart > begin, s[lineStart - 1] != "\n" { lineStart -= 1 }
        guard lineStart > begin || lineStarting, lineStart < end else { return end }
        for i in lineStart..<end where !PythonString.isSpace(s[i]) { return end }
        return lineStart
    }

    /// The next tag start at or after `from`: its position, kind, sign (`-`, `+` or none) and opening length.
    private func nextTag(from: Int) -> (Int, TagKind, Unicode.Scalar?, Int)? {
        var i = from
        while i + 1 < s.count {
            if s[i] == "{" {
                let kind: TagKind? =
                    switch s[i + 1] {
                    case "{": .variable
                    case "%": .block
                    case "#": .comment
                    default: nil
                    }
                if let kind {
                    let sign: Unicode.Scalar? = i + 2 < s.count && (s[i + 2] == "-" || s[i + 2] == "+") ? s[i + 2] : nil
                    let open = sign == nil ? 2 : 3
                    if kind == .block, let rawEnd = rawBegin(at: i + open) {
                        return (i, .raw, sign, rawEnd - i)
                    }
                    return (i, kind, sign, open)
                }
            }
            i += 1
        }
        return nil
    }

    /// After `{%`: `\s*raw\s*(-%}\s*|%})`, returning where it ends (no trim_blocks here, as in jinja2).
    private func rawBegin(at start: Int) -> Int? {
        var i = start
        while i < s.count, PythonString.isSpace(s[i]) { i += 1 }
        guard at(i, "raw") else { return nil }
        i += 3
        while i < s.count, PythonString.isSpace(s[i]) { i += 1 }
        if at(i, "-%}") {
            i += 3
            while i < s.count, PythonString.isSpace(s[i]) { i += 1 }
            return i
        }
        return at(i, "%}") ? i + 2 : nil
    }

    /// Where a `+X}`, `-X}\s*` or `X}\n?` closing delimiter starting at `i` ends (X is `%` or `#`).
    private func blockLikeEnd(at i: Int, _ mark: String) -> Int? {
        if at(i, "+" + mark) { return i + 3 }
        if at(i, "-" + mark) {
            var j = i + 3
            while j < s.count, PythonString.isSpace(s[j]) { j += 1 }
            return j
        }
        if at(i, mark) { return i + 2 < s.count && s[i + 2] == "\n" ? i + 3 : i + 2 }
        return nil
    }

    private mutating func comment(after open: Int) throws(TemplateError) {
        // jinja2 ends without complaint when the template ends right after `{#` (its error rule needs a character).
        if open >= s.count {
            advance(to: s.count)
            return
        }
        var i = open
        while i < s.count {
            if let end = blockLikeEnd(at: i, "#}") {
                advance(to: end)
                lineStarting = s[end - 1] == "\n"
                return
            }
            i += 1
        }
        throw fail("missing end of comment tag")
    }

    private mutating func raw(after open: Int) throws(TemplateError) {
        lineStarting = s[open - 1] == "\n"
        advance(to: open)
        if open >= s.count { return }
        var i = open
        while i < s.count {
            if at(i, "{%") {
                let sign: Unicode.Scalar? = i + 2 < s.count && (s[i + 2] == "-" || s[i + 2] == "+") ? s[i + 2] : nil
                var j = i + (sign == nil ? 2 : 3)
                while j < s.count, PythonString.isSpace(s[j]) { j += 1 }
                if at(j, "endraw") {
                    j += 6
                    while j < s.count, PythonString.isSpace(s[j]) { j += 1 }
                    if let end = blockLikeEnd(at: j, "%}") {
                        var textEnd = i
                        if sign == "-" {
                            while textEnd > open, PythonString.isSpace(s[textEnd - 1]) { textEnd -= 1 }
                        } else if sign != "+" {
                            textEnd = lstripped(from: open, to: i)
                        }
                        emitData(s[open..<textEnd])
                        advance(to: end)
                        lineStarting = s[end - 1] == "\n"
                        return
                    }
                }
            }
            i += 1
        }
        throw fail("missing end of raw directive")
    }

    /// The tokens inside `{{ … }}` or `{% … %}`, through the closing delimiter.
    private mutating func tagBody(block: Bool) throws(TemplateError) {
        var balance: [Unicode.Scalar] = []
        while true {
            if balance.isEmpty, let end = tagEnd(at: pos, block: block) {
                tokens.append(TemplateToken(kind: block ? .blockEnd : .variableEnd, line: line))
                advance(to: end)
                lineStarting = s[end - 1] == "\n"
                return
            }
            guard pos < s.count else { throw fail("unexpected end of template inside a tag") }
            let c = s[pos]
            if PythonString.isSpace(c) {
                var j = pos
                while j < s.count, PythonString.isSpace(s[j]) { j += 1 }
                advance(to: j)
            } else if let (end, value) = TemplateLiteralScanner.float(s, at: pos) {
                tokens.append(TemplateToken(kind: .float(value), line: line))
                advance(to: end)
            } else if let (end, value) = try TemplateLiteralScanner.integer(s, at: pos, line: line) {
                tokens.append(TemplateToken(kind: .integer(value), line: line))
                advance(to: end)
            } else if c == "_" || c.properties.isXIDStart {
                var j = pos + 1
                while j < s.count, s[j] == "_" || s[j].properties.isXIDContinue { j += 1 }
                var name = ""
                name.unicodeScalars.append(contentsOf: s[pos..<j])
                tokens.append(TemplateToken(kind: .name(name), line: line))
                advance(to: j)
            } else if c == "'" || c == "\"" {
                let startLine = line
                let (end, value) = try TemplateLiteralScanner.string(s, at: pos, line: line)
                tokens.append(TemplateToken(kind: .string(value), line: startLine))
                advance(to: end)
            } else if let op = Self.operators.first(where: { at(pos, $0) }) {
                try track(op, &balance)
                tokens.append(TemplateToken(kind: .op(op), line: line))
                advance(to: pos + op.unicodeScalars.count)
            } else {
                throw fail("unexpected char \(PythonRepr.string(String(Character(c))))")
            }
        }
    }

    private func tagEnd(at i: Int, block: Bool) -> Int? {
        if block { return blockLikeEnd(at: i, "%}") }
        if at(i, "-}}") {
            var j = i + 3
            while j < s.count, PythonString.isSpace(s[j]) { j += 1 }
            return j
        }
        return at(i, "}}") ? i + 2 : nil
    }

    private func track(_ op: String, _ balance: inout [Unicode.Scalar]) throws(TemplateError) {
        switch op {
        case "{": balance.append("}")
        case "(": balance.append(")")
        case "[": balance.append("]")
        case "}", ")", "]":
            guard let expected = balance.popLast() else { throw fail("unexpected '\(op)'") }
            guard String(Character(expected)) == op else { throw fail("unexpected '\(op)', expected '\(expected)'") }
        default: break
        }
    }

    /// jinja2's operators, longest first so `//` wins over `/`.
    private static let operators = [
        "//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<",
        "=", ".", ":", "|", ",", ";",
    ]
}
