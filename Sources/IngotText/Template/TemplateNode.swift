/// A statement of a parsed template (text, `{{ … }}`, or a block tag with its body). Immutable and `Sendable`.
indirect enum TemplateNode: Sendable {
    case text(String)
    case output(TemplateExpr)
    /// `{% if %}…{% elif %}…{% else %}…{% endif %}`: the first branch whose condition is true, else `otherwise`.
    case conditional([TemplateBranch], otherwise: [TemplateNode])
    case loop(TemplateLoop)
    /// `{% set target = value %}`.
    case assign(TemplateTarget, TemplateExpr, line: Int)
    /// `{% set target | filters %}body{% endset %}`: the rendered body, filtered.
    case assignBlock(TemplateTarget, filters: [TemplateFilterCall], body: [TemplateNode], line: Int)
    case macro(TemplateMacroDefinition)
    /// `{% call(params) macro(args) %}body{% endcall %}`: calls the macro with `caller` rendering the body.
    case callBlock(TemplateMacroDefinition, call: TemplateExpr)
    /// `{% filter f %}body{% endfilter %}`.
    case filterBlock(filters: [TemplateFilterCall], body: [TemplateNode])
    /// `{% with a = 1 %}body{% endwith %}` (also `{% generation %}`, which renders its body in its own scope).
    case scoped(assignments: [(TemplateTarget, TemplateExpr)], body: [TemplateNode])
    case loopControl(isBreak: Bool, line: Int)
}

struct TemplateBranch: Sendable {
    let condition: TemplateExpr
    let body: [TemplateNode]
}

struct TemplateLoop: Sendable {
    let target: TemplateTarget
    let iterable: TemplateExpr
    /// `{% for x in xs if cond %}`: items failing it are skipped before `loop.length` is counted.
    let condition: TemplateExpr?
    let body: [TemplateNode]
    /// Rendered when no item was iterated.
    let otherwise: [TemplateNode]
    let line: Int
}

/// What `set` and `for` assign to.
enum TemplateTarget: Sendable {
    case name(String)
    /// `ns.attr`: only a `namespace()` object accepts it.
    case attribute(String, String)
    /// `a, b`: unpacks a sequence of exactly that many items.
    case tuple([String])
}

struct TemplateMacroDefinition: Sendable {
    let name: String
    let parameters: [String]
    /// Default expressions, aligned with `parameters` (nil: no default).
    let defaults: [TemplateExpr?]
    let body: [TemplateNode]
    /// The body reads `varargs`/`kwargs`/`caller`, so extra arguments are accepted (as in jinja2).
    let usesVarargs: Bool
    let usesKwargs: Bool
    let usesCaller: Bool
    let line: Int
}
