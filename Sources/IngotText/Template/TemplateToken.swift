/// One token of a chat template, as jinja2's lexer produces it: template text (already whitespace-controlled),
/// tag delimiters, and the names, literals and operators inside tags.
struct TemplateToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case data(String)
        case variableBegin, variableEnd, blockBegin, blockEnd
        case name(String)
        case string(String)
        case integer(Int64)
        case float(Double)
        case op(String)
        case end
    }

    let kind: Kind
    let line: Int

    /// How the token reads in an error message.
    var display: String {
        switch kind {
        case let .data(s): "template text \(PythonRepr.string(String(s.prefix(20))))"
        case .variableBegin: "'{{'"
        case .variableEnd: "'}}'"
        case .blockBegin: "'{%'"
        case .blockEnd: "'%}'"
        case let .name(n): "'\(n)'"
        case let .string(s): PythonRepr.string(s)
        case let .integer(i): String(i)
        case let .float(d): PythonRepr.float(d)
        case let .op(o): "'\(o)'"
        case .end: "end of template"
        }
    }
}
