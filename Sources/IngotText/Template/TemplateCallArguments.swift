/// Evaluated arguments of a call, filter or test, bound to parameter names the way Python binds them.
struct TemplateCallArguments {
    var positional: [TemplateValue]
    var keyword: [(name: String, value: TemplateValue)]

    init(_ positional: [TemplateValue] = [], keyword: [(name: String, value: TemplateValue)] = []) {
        self.positional = positional
        self.keyword = keyword
    }

    /// One value (or nil when not given) per parameter in `names`; an unknown keyword, a duplicate or too many
    /// positional arguments is an error naming `function`.
    func bind(_ names: [String], _ function: String) throws(TemplateError) -> [TemplateValue?] {
        guard positional.count <= names.count else {
            throw TemplateError(
                .type, "\(function)() takes at most \(names.count) argument(s) (\(positional.count) given)")
        }
        var bound: [TemplateValue?] = positional + Array(repeating: nil, count: names.count - positional.count)
        for (name, value) in keyword {
            guard let i = names.firstIndex(of: name) else {
                throw TemplateError(.type, "\(function)() got an unexpected keyword argument '\(name)'")
            }
            guard bound[i] == nil else {
                throw TemplateError(.type, "\(function)() got multiple values for argument '\(name)'")
            }
            bound[i] = value
        }
        return bound
    }

    /// Exactly `count` positional arguments and no keywords (most str methods).
    func exactly(_ count: Int, _ function: String) throws(TemplateError) -> [TemplateValue] {
        guard keyword.isEmpty else { throw TemplateError(.type, "\(function)() takes no keyword arguments") }
        guard positional.count == count else {
            throw TemplateError(.type, "\(function)() takes exactly \(count) argument(s) (\(positional.count) given)")
        }
        return positional
    }
}

extension Optional where Wrapped == TemplateValue {
    /// An absent argument or `None`.
    var isAbsent: Bool {
        switch self {
        case nil, .none?: true
        default: false
        }
    }
}

extension TemplateValue {
    /// A string argument, or a TypeError naming `what`.
    func stringArgument(_ what: String) throws(TemplateError) -> String {
        guard case let .string(s) = plain else {
            throw TemplateError(.type, "\(what) must be str, not \(typeName)")
        }
        return s
    }

    /// An integer argument (bools count, as in Python), or a TypeError naming `what`.
    func intArgument(_ what: String) throws(TemplateError) -> Int {
        switch self {
        case let .int(i): return Int(i)
        case let .bool(b): return b ? 1 : 0
        default: throw TemplateError(.type, "\(what) must be an integer, not \(typeName)")
        }
    }
}
