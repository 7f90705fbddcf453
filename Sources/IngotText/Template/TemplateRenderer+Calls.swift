/// Attribute and item lookup (jinja2's `getattr`/`getitem` in its immutable sandbox), calls of macros, globals
/// and methods.
extension TemplateRenderer {
    static let stringMethods: Set<String> = [
        "capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find", "format",
        "format_map", "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower",
        "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip", "maketrans",
        "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit",
        "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill",
    ]
    static let dictMethods: Set<String> = ["copy", "fromkeys", "get", "items", "keys", "values"]
    static let listMethods: Set<String> = ["copy", "count", "index"]
    /// Methods jinja2's `ImmutableSandboxedEnvironment` refuses: they would modify a list or dict.
    static let mutatingMethods: Set<String> = [
        "append", "clear", "extend", "insert", "pop", "popitem", "remove", "reverse", "setdefault", "sort", "update",
    ]

    private func typeRepr(_ v: TemplateValue) -> String {
        if case .none = v { return "None" }
        return "\(v.typeName) object"
    }

    /// `value.name`: a method of str/dict/list first, then the item (jinja2 tries `getattr` before `[]`).
    func attribute(of original: TemplateValue, _ name: String) throws(TemplateError) -> TemplateValue {
        let value = original.plain
        switch value {
        case let .undefined(message):
            throw TemplateError(.undefined, message)
        case let .dict(d):
            if Self.dictMethods.contains(name) { return .method(value, name) }
            if Self.mutatingMethods.contains(name) { return unsafe(value, name) }
            return d[name] ?? .undefined("'dict object' has no attribute '\(name)'")
        case .string:
            if Self.stringMethods.contains(name) { return .method(value, name) }
        case .list, .tuple:
            if Self.listMethods.contains(name) { return .method(value, name) }
            if case .list = value, Self.mutatingMethods.contains(name) { return unsafe(value, name) }
        case let .namespace(ns):
            return ns.attributes[name] ?? .undefined("'Namespace' object has no attribute '\(name)'")
        case let .loop(state):
            if let v = state.attribute(name) { return v }
        default:
            break
        }
        return .undefined("'\(typeRepr(value))' has no attribute '\(name)'")
    }

    private func unsafe(_ value: TemplateValue, _ name: String) -> TemplateValue {
        .undefined("access to attribute '\(name)' of '\(value.typeName)' object is unsafe.")
    }

    /// `value[key]`: the item first, then (for a string key) the attribute; undefined when neither exists.
    func item(of original: TemplateValue, _ key: TemplateValue) throws(TemplateError) -> TemplateValue {
        let value = original.plain
        switch (value, key.plain) {
        case let (.undefined(message), _):
            throw TemplateError(.undefined, message)
        case let (.dict(d), .string(k)):
            if let v = d[k] { return v }
        case let (.list(items), _), let (.tuple(items), _):
            if let i = index(key, count: items.count) { return items[i] }
        case let (.string(s), _):
            let a = PythonString.scalars(s)
            if let i = index(key, count: a.count) { return .string(String(Character(a[i]))) }
        default:
            break
        }
        if case let .string(name) = key.plain { return try attribute(of: value, name) }
        return .undefined("\(typeRepr(value)) has no element \(try key.repr(depth: 0))")
    }

    /// A Python index (negative from the end) of an int key, nil when it is not an int or out of range.
    private func index(_ key: TemplateValue, count: Int) -> Int? {
        let i: Int
        switch key {
        case let .int(v): i = Int(v)
        case let .bool(b): i = b ? 1 : 0
        default: return nil
        }
        let j = i < 0 ? i + count : i
        return j >= 0 && j < count ? j : nil
    }

    func call(
        _ callee: TemplateValue, _ arguments: TemplateArguments, _ scope: TemplateScope, caller: TemplateValue?,
        line: Int
    ) throws(TemplateError) -> TemplateValue {
        var args = TemplateCallArguments(try evalAll(arguments.positional, scope))
        for (name, e) in arguments.keyword { args.keyword.append((name, try eval(e, scope))) }
        return try call(callee, args, caller: caller, line: line)
    }

    func call(_ callee: TemplateValue, _ args: TemplateCallArguments, caller: TemplateValue? = nil, line: Int)
        throws(TemplateError) -> TemplateValue
    {
        switch callee {
        case let .undefined(message):
            throw TemplateError(.undefined, message, line: line)
        case let .macro(m):
            return try invoke(m, args, caller: caller, line: line)
        case let .function(f):
            return try callGlobal(f, args)
        case let .method(receiver, name):
            return try callMethod(receiver, name, args)
        default:
            throw TemplateError(.type, "'\(callee.typeName)' object is not callable", line: line)
        }
    }

    /// A macro call: parameters bound positionally then by name, missing ones undefined; extra arguments only
    /// when the body reads `varargs`/`kwargs`; the body rendered in a new scope over the macro's own.
    private func invoke(_ m: TemplateMacro, _ args: TemplateCallArguments, caller: TemplateValue?, line: Int)
        throws(TemplateError) -> TemplateValue
    {
        let d = m.definition
        callDepth += 1
        defer { callDepth -= 1 }
        guard callDepth <= limits.maxCallDepth else {
            throw TemplateError(.limit, "macro calls nested deeper than \(limits.maxCallDepth)", line: line)
        }
        guard let defining = m.scope else {
            throw TemplateError(
                .unsupported, "macro '\(d.name)' called after the loop or macro call that defined it ended", line: line)
        }
        let scope = TemplateScope(parent: defining)
        var extraKeywords = TemplateDict()
        for (name, value) in args.keyword {
            if let i = d.parameters.firstIndex(of: name) {
                guard i >= args.positional.count else {
                    throw TemplateError(.type, "macro '\(d.name)' got multiple values for argument '\(name)'", line: line)
                }
            } else if d.usesKwargs {
                extraKeywords[name] = value
            } else {
                throw TemplateError(.type, "macro '\(d.name)' takes no keyword argument '\(name)'", line: line)
            }
        }
        if args.positional.count > d.parameters.count && !d.usesVarargs {
            throw TemplateError(
                .type, "macro '\(d.name)' takes not more than \(d.parameters.count) argument(s)", line: line)
        }
        for (i, name) in d.parameters.enumerated() {
            if i < args.positional.count {
                scope.set(name, args.positional[i])
            } else if let kw = args.keyword.first(where: { $0.name == name }) {
                scope.set(name, kw.value)
            } else if let e = d.defaults[i] {
                scope.set(name, try eval(e, scope))
            } else {
                scope.set(name, .undefined("parameter '\(name)' was not provided"))
            }
        }
        if d.usesVarargs { scope.set("varargs", .tuple(Array(args.positional.dropFirst(d.parameters.count)))) }
        if d.usesKwargs { scope.set("kwargs", .dict(extraKeywords)) }
        if let caller {
            guard d.usesCaller else {
                throw TemplateError(.type, "macro '\(d.name)' takes no keyword argument 'caller'", line: line)
            }
            scope.set("caller", caller)
        }
        return .string(try capture(d.body, scope))
    }

    private func callGlobal(_ f: TemplateFunction, _ args: TemplateCallArguments) throws(TemplateError)
        -> TemplateValue
    {
        switch f {
        case .range:
            let a = try args.exactlyBetween(1, 3, "range").map { v throws(TemplateError) in try v.intArgument("range() argument") }
            let (start, stop, stride) = a.count == 1 ? (0, a[0], 1) : (a[0], a[1], a.count == 3 ? a[2] : 1)
            guard stride != 0 else { throw TemplateError(.type, "range() arg 3 must not be zero") }
            // Counted without overflow: range(-2**63, 2**63 - 1) must be refused, not trap.
            let (span, spanOverflow) = stop.subtractingReportingOverflow(start)
            let count =
                spanOverflow ? Int.max
                : stride > 0 ? (span <= 0 ? 0 : (span - 1) / stride + 1)
                : (span >= 0 ? 0 : (span + 1) / stride + 1)
            guard count <= limits.maxRange else {
                throw TemplateError(
                    .limit, "range too big: \(count) items (the sandbox allows \(limits.maxRange), as jinja2's does)")
            }
            return .list(try checked((0..<count).map { .int(Int64(start + $0 * stride)) }))
        case .namespace, .dict:
            var d = TemplateDict()
            if let first = args.positional.first {
                guard args.positional.count == 1, case let .dict(initial) = first else {
                    throw TemplateError(.type, "\(f.rawValue)() takes a single mapping argument")
                }
                d = initial
            }
            for (k, v) in args.keyword { d[k] = v }
            guard f == .namespace else { return .dict(d) }
            for name in d.keys { try TemplateNamespace.checkName(name) }
            let ns = TemplateNamespace()
            track(ns)
            ns.attributes = d
            return .namespace(ns)
        case .raiseException:
            let message = try args.positional.first?.str() ?? ""
            throw TemplateError(.raised, message)
        case .strftimeNow:
            let format = try args.exactly(1, "strftime_now")[0].stringArgument("strftime_now() argument")
            return .string(try now.format(format))
        }
    }
}

extension TemplateCallArguments {
    /// Between `low` and `high` positional arguments and no keywords.
    func exactlyBetween(_ low: Int, _ high: Int, _ function: String) throws(TemplateError) -> [TemplateValue] {
        guard keyword.isEmpty else { throw TemplateError(.type, "\(function)() takes no keyword arguments") }
        guard (low...high).contains(positional.count) else {
            throw TemplateError(.type, "\(function)() takes \(low) to \(high) arguments (\(positional.count) given)")
        }
        return positional
    }
}
