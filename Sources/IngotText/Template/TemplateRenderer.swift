/// Runs a parsed template once. Holds everything mutable of one render (output, budget counters), so the
/// parsed template itself stays immutable and shareable.
final class TemplateRenderer {
    let limits: TemplateLimits
    let now: TemplateDate
    private var steps = 0
    private var depth = 0
    var callDepth = 0
    private var output = ""
    /// Every namespace made in this render, held weakly. A namespace can hold itself (`set ns.me = ns`, or through
    /// lists, other namespaces, `loop`); clearing the live ones when the render ends breaks every such cycle,
    /// since each runs through a namespace's attributes (macros hold their scope weakly).
    private var namespaces: [WeakNamespace] = []
    private var liveNamespacesAtLastSweep = 0

    private struct WeakNamespace {
        weak var value: TemplateNamespace?
    }

    enum Flow { case normal, breakLoop, continueLoop }

    init(limits: TemplateLimits, now: TemplateDate) {
        self.limits = limits
        self.now = now
    }

    func render(_ nodes: [TemplateNode], scope: TemplateScope) throws(TemplateError) -> String {
        defer {
            for ns in namespaces { ns.value?.attributes = TemplateDict() }
        }
        _ = try run(nodes, scope)
        return output
    }

    /// Registers a new namespace; the list drops dead entries whenever it has doubled since the last sweep, so it
    /// stays proportional to the namespaces alive.
    func track(_ ns: TemplateNamespace) {
        namespaces.append(WeakNamespace(value: ns))
        if namespaces.count > 2 * liveNamespacesAtLastSweep + 64 {
            namespaces.removeAll { $0.value == nil }
            liveNamespacesAtLastSweep = namespaces.count
        }
    }

    // MARK: Budget

    /// Counts `cost` evaluation steps against the budget.
    func step(_ cost: Int = 1, line: Int? = nil) throws(TemplateError) {
        steps += cost
        guard steps <= limits.maxSteps else {
            throw TemplateError(.limit, "evaluation budget of \(limits.maxSteps) steps exhausted", line: line)
        }
    }

    /// Charges the work of building a string of `bytes` bytes and refuses one over the size cap.
    func checked(_ s: String) throws(TemplateError) -> String {
        let bytes = s.utf8.count
        guard bytes <= limits.maxOutputBytes else {
            throw TemplateError(.limit, "string larger than \(limits.maxOutputBytes) bytes")
        }
        try step(1 + bytes >> 8)
        return s
    }

    /// Charges the work of building a list of `count` items and refuses one over the size cap.
    func checked(_ items: [TemplateValue]) throws(TemplateError) -> [TemplateValue] {
        guard items.count <= limits.maxItems else {
            throw TemplateError(.limit, "list longer than \(limits.maxItems) items")
        }
        try step(1 + items.count >> 4)
        return items
    }

    /// Enters one level of evaluation nesting (statements, expressions, calls share the cap).
    private func enter(_ line: Int) throws(TemplateError) {
        depth += 1
        guard depth <= limits.maxDepth else {
            throw TemplateError(.limit, "evaluation nested deeper than \(limits.maxDepth)", line: line)
        }
    }

    // MARK: Output

    func write(_ s: String) throws(TemplateError) {
        guard output.utf8.count + s.utf8.count <= limits.maxOutputBytes else {
            throw TemplateError(.limit, "output larger than \(limits.maxOutputBytes) bytes")
        }
        try step(1 + s.utf8.count >> 8)
        output += s
    }

    /// Renders `nodes` into a fresh buffer and returns it (block `set`, macros, `caller()`, `filter` blocks).
    func capture(_ nodes: [TemplateNode], _ scope: TemplateScope) throws(TemplateError) -> String {
        let saved = output
        output = ""
        defer { output = saved }
        _ = try run(nodes, scope)
        return output
    }

    // MARK: Statements

    func run(_ nodes: [TemplateNode], _ scope: TemplateScope) throws(TemplateError) -> Flow {
        for node in nodes {
            let flow = try execute(node, scope)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func execute(_ node: TemplateNode, _ scope: TemplateScope) throws(TemplateError) -> Flow {
        try step()
        try enter(0)
        defer { depth -= 1 }
        switch node {
        case let .text(s):
            try write(s)
        case let .output(e):
            let text: String
            do { text = try eval(e, scope).str() } catch { throw error.at(e.line) }
            try write(text)
        case let .conditional(branches, otherwise):
            for branch in branches where try eval(branch.condition, scope).truthy {
                return try run(branch.body, scope)
            }
            return try run(otherwise, scope)
        case let .loop(loop):
            return try runLoop(loop, scope)
        case let .assign(target, e, line):
            try assign(target, try eval(e, scope), scope, line: line)
        case let .assignBlock(target, filters, body, line):
            var value = TemplateValue.string(try capture(body, TemplateScope(parent: scope)))
            for f in filters { value = try applyFilter(f, to: value, scope) }
            try assign(target, value, scope, line: line)
        case let .macro(definition):
            scope.set(definition.name, .macro(TemplateMacro(definition: definition, scope: scope)))
        case let .callBlock(callerDefinition, callExpr):
            guard case let .call(callee, arguments) = callExpr.kind else { return .normal }
            let caller = TemplateValue.macro(TemplateMacro(definition: callerDefinition, scope: scope))
            let result = try call(try eval(callee, scope), arguments, scope, caller: caller, line: callExpr.line)
            try write(try result.str())
        case let .filterBlock(filters, body):
            var value = TemplateValue.string(try capture(body, TemplateScope(parent: scope)))
            for f in filters { value = try applyFilter(f, to: value, scope) }
            try write(try value.str())
        case let .scoped(assignments, body):
            let inner = TemplateScope(parent: scope)
            for (target, e) in assignments { try assign(target, try eval(e, inner), inner, line: e.line) }
            return try run(body, inner)
        case let .loopControl(isBreak, _):
            return isBreak ? .breakLoop : .continueLoop
        }
        return .normal
    }

    /// `for`: each iteration gets its own scope (assignments do not survive it), with `loop` describing it.
    private func runLoop(_ loop: TemplateLoop, _ scope: TemplateScope) throws(TemplateError) -> Flow {
        var items: [TemplateValue]
        do {
            items = try checked(try eval(loop.iterable, scope).iterate())
        } catch {
            throw error.at(loop.line)
        }
        if let condition = loop.condition {
            var kept: [TemplateValue] = []
            for item in items {
                let probe = TemplateScope(parent: scope)
                try assign(loop.target, item, probe, line: loop.line)
                if try eval(condition, probe).truthy { kept.append(item) }
            }
            items = kept
        }
        guard !items.isEmpty else {
            _ = try run(loop.otherwise, TemplateScope(parent: scope))
            return .normal
        }
        let state = TemplateLoopState(items: items)
        for (i, item) in items.enumerated() {
            try step(line: loop.line)
            state.index0 = i
            let inner = TemplateScope(parent: scope)
            try assign(loop.target, item, inner, line: loop.line)
            inner.set("loop", .loop(state))
            if try run(loop.body, inner) == .breakLoop { break }
        }
        return .normal
    }

    func assign(_ target: TemplateTarget, _ value: TemplateValue, _ scope: TemplateScope, line: Int)
        throws(TemplateError)
    {
        switch target {
        case let .name(n):
            scope.set(n, value)
        case let .attribute(n, attribute):
            guard case let .namespace(ns)? = scope.lookup(n) else {
                throw TemplateError(.type, "cannot assign attribute on non-namespace object", line: line)
            }
            do { try TemplateNamespace.checkName(attribute) } catch { throw error.at(line) }
            ns.attributes[attribute] = value
        case let .tuple(names):
            let items: [TemplateValue]
            do { items = try value.iterate() } catch { throw error.at(line) }
            guard items.count == names.count else {
                let message =
                    items.count < names.count
                    ? "not enough values to unpack (expected \(names.count), got \(items.count))"
                    : "too many values to unpack (expected \(names.count))"
                throw TemplateError(.type, message, line: line)
            }
            for (n, v) in zip(names, items) { scope.set(n, v) }
        }
    }

    // MARK: Expressions

    func eval(_ e: TemplateExpr, _ scope: TemplateScope) throws(TemplateError) -> TemplateValue {
        try step(line: e.line)
        try enter(e.line)
        defer { depth -= 1 }
        do {
            return try evaluate(e, scope)
        } catch {
            throw error.at(e.line)
        }
    }
}
