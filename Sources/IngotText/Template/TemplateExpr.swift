/// An expression of a parsed template. Immutable and `Sendable`, so a parsed `ChatTemplate` can be shared
/// across threads; every node keeps its source line for error messages and its depth, which the parser caps so
/// that evaluating it can never exhaust the stack.
struct TemplateExpr: Sendable {
    indirect enum Kind: Sendable {
        case constant(TemplateConstant)
        case name(String)
        case list([TemplateExpr])
        case tuple([TemplateExpr])
        case dict([TemplateDictEntry])
        /// `a.b`: jinja2 tries the attribute (a method of str/dict/list) before the item.
        case attribute(TemplateExpr, String)
        /// `a[b]`: the item before the attribute.
        case item(TemplateExpr, TemplateExpr)
        case slice(TemplateExpr, start: TemplateExpr?, stop: TemplateExpr?, step: TemplateExpr?)
        case call(TemplateExpr, TemplateArguments)
        case filter(TemplateExpr, TemplateFilterCall)
        case test(TemplateExpr, TemplateTestCall)
        case negative(TemplateExpr)
        case positive(TemplateExpr)
        case not(TemplateExpr)
        case binary(TemplateBinaryOperator, TemplateExpr, TemplateExpr)
        case and(TemplateExpr, TemplateExpr)
        case or(TemplateExpr, TemplateExpr)
        /// `a < b <= c`: Python's chained comparison.
        case compare(TemplateExpr, [TemplateComparison])
        /// `a ~ b ~ c`: string conversion and concatenation.
        case concat([TemplateExpr])
        /// `a if cond else b`; without `else` the result is undefined when `cond` is false.
        case conditional(test: TemplateExpr, then: TemplateExpr, otherwise: TemplateExpr?)
    }

    let kind: Kind
    let line: Int
    let depth: Int

    init(_ kind: Kind, line: Int, children: [TemplateExpr]) {
        self.kind = kind
        self.line = line
        depth = 1 + (children.map(\.depth).max() ?? 0)
    }
}

enum TemplateConstant: Sendable {
    case none, bool(Bool), int(Int64), float(Double), string(String)
}

struct TemplateDictEntry: Sendable {
    let key: TemplateExpr
    let value: TemplateExpr
}

struct TemplateArguments: Sendable {
    var positional: [TemplateExpr] = []
    var keyword: [(name: String, value: TemplateExpr)] = []

    var all: [TemplateExpr] { positional + keyword.map(\.value) }
}

/// A filter or test Ingot does not know is nil here: it is refused when parsed, unless it sits where jinja2
/// only looks it up when it runs (see `TemplateNameCheck`).
struct TemplateFilterCall: Sendable {
    let filter: TemplateFilter?
    let name: String
    let arguments: TemplateArguments
    let line: Int
}

struct TemplateTestCall: Sendable {
    let test: TemplateTest?
    let name: String
    let arguments: TemplateArguments
    let negated: Bool
    let line: Int
}

enum TemplateBinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%", power = "**"
}

enum TemplateComparisonOperator: String, Sendable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case `in` = "in", notIn = "not in"
}

struct TemplateComparison: Sendable {
    let op: TemplateComparisonOperator
    let operand: TemplateExpr
}
