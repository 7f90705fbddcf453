/// jinja2's rule for filter and test names it does not know (3.0 and later): an error when the template is
/// compiled, except inside an `if` statement or a conditional expression (`a if c else b`), where it is an error
/// only if that filter or test actually runs. A loop, macro, call block, `set` block, `filter` or `with` body
/// starts a new frame that is not "soft" again, even inside an `if`.
enum TemplateNameCheck {
    static func check(_ nodes: [TemplateNode], soft: Bool) throws(TemplateError) {
        for node in nodes { try check(node, soft: soft) }
    }

    private static func check(_ node: TemplateNode, soft: Bool) throws(TemplateError) {
        switch node {
        case .text, .loopControl: return
        case let .output(e): try check(e, soft: soft)
        case let .conditional(branches, otherwise):
            for b in branches {
                try check(b.condition, soft: true)
                try check(b.body, soft: true)
            }
            try check(otherwise, soft: true)
        case let .loop(loop):
            try check(loop.iterable, soft: soft)
            if let c = loop.condition { try check(c, soft: false) }
            try check(loop.body, soft: false)
            try check(loop.otherwise, soft: false)
        case let .assign(_, e, _): try check(e, soft: soft)
        case let .assignBlock(_, filters, body, _):
            try check(filters, soft: false)
            try check(body, soft: false)
        case let .macro(m): try check(m, soft: false)
        case let .callBlock(caller, call):
            try check(caller, soft: false)
            try check(call, soft: soft)
        case let .filterBlock(filters, body):
            try check(filters, soft: false)
            try check(body, soft: false)
        case let .scoped(assignments, body):
            for (_, e) in assignments { try check(e, soft: soft) }
            try check(body, soft: false)
        }
    }

    private static func check(_ m: TemplateMacroDefinition, soft: Bool) throws(TemplateError) {
        for case let d? in m.defaults { try check(d, soft: soft) }
        try check(m.body, soft: soft)
    }

    private static func check(_ filters: [TemplateFilterCall], soft: Bool) throws(TemplateError) {
        for f in filters { try check(f, soft: soft) }
    }

    private static func check(_ f: TemplateFilterCall, soft: Bool) throws(TemplateError) {
        if f.filter == nil && !soft { throw TemplateError(.unsupported, "unsupported filter '\(f.name)'", line: f.line) }
        for a in f.arguments.all { try check(a, soft: soft) }
    }

    private static func check(_ e: TemplateExpr, soft: Bool) throws(TemplateError) {
        switch e.kind {
        case .constant, .name: return
        case let .list(items), let .tuple(items), let .concat(items):
            for i in items { try check(i, soft: soft) }
        case let .dict(entries):
            for entry in entries {
                try check(entry.key, soft: soft)
                try check(entry.value, soft: soft)
            }
        case let .attribute(b, _), let .negative(b), let .positive(b), let .not(b): try check(b, soft: soft)
        case let .item(a, b), let .binary(_, a, b), let .and(a, b), let .or(a, b):
            try check(a, soft: soft)
            try check(b, soft: soft)
        case let .slice(b, start, stop, step):
            for x in [b, start, stop, step] { if let x { try check(x, soft: soft) } }
        case let .call(callee, args):
            try check(callee, soft: soft)
            for a in args.all { try check(a, soft: soft) }
        case let .filter(b, f):
            try check(b, soft: soft)
            try check(f, soft: soft)
        case let .test(b, t):
            try check(b, soft: soft)
            if t.test == nil && !soft { throw TemplateError(.unsupported, "unsupported test '\(t.name)'", line: t.line) }
            for a in t.arguments.all { try check(a, soft: soft) }
        case let .compare(first, steps):
            try check(first, soft: soft)
            for s in steps { try check(s.operand, soft: soft) }
        case let .conditional(test, then, otherwise):
            try check(test, soft: true)
            try check(then, soft: true)
            if let otherwise { try check(otherwise, soft: true) }
        }
    }
}
