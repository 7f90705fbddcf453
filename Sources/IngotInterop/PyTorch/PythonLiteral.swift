/// The few Python literal forms a `.npy` header dict is made of. Nothing is ever evaluated: the header is parsed
/// as data by `PythonLiteralParser`.
enum PythonLiteral: Equatable, Sendable {
    case string(String)
    case int(Int)
    /// An integer whose magnitude does not fit in 64 bits (kept apart so a shape can report "overflow").
    case hugeInt
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    /// Keys in order of appearance; duplicates are rejected by the parser.
    case dict([(String, PythonLiteral)])

    static func == (a: PythonLiteral, b: PythonLiteral) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): x == y
        case let (.int(x), .int(y)): x == y
        case (.hugeInt, .hugeInt), (.none, .none): true
        case let (.bool(x), .bool(y)): x == y
        case let (.tuple(x), .tuple(y)), let (.list(x), .list(y)): x == y
        case let (.dict(x), .dict(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Short Python-like text for error messages (bounded: values come from hostile files).
    var text: String {
        let s: String
        switch self {
        case let .string(v): s = "'\(v)'"
        case let .int(v): s = String(v)
        case .hugeInt: s = "<huge integer>"
        case let .bool(v): s = v ? "True" : "False"
        case .none: s = "None"
        case let .tuple(items): s = "(" + items.map(\.text).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case let .list(items): s = "[" + items.map(\.text).joined(separator: ", ") + "]"
        case let .dict(pairs): s = "{" + pairs.map { "'\($0.0)': \($0.1.text)" }.joined(separator: ", ") + "}"
        }
        return s.count > 80 ? String(s.prefix(80)) + "…" : s
    }
}
