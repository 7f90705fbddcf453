import IngotFormat

/// A value while a template renders: the Python types jinja2 hands to templates (JSON's, plus tuples,
/// undefined, namespaces, macros, bound methods and the loop object). Lives only inside one render.
enum TemplateValue {
    /// jinja2's `Undefined`: renders as nothing, is false, iterates as empty; anything else (calling it, reading
    /// an attribute or item, arithmetic) raises an error with this message.
    case undefined(String)
    case none
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case list([TemplateValue])
    case tuple([TemplateValue])
    case dict(TemplateDict)
    case namespace(TemplateNamespace)
    case macro(TemplateMacro)
    case function(TemplateFunction)
    /// `receiver.name`, a str/dict/list method not yet called.
    indirect case method(TemplateValue, String)
    case loop(TemplateLoopState)

    static func undefinedName(_ name: String) -> TemplateValue { .undefined("'\(name)' is undefined") }

    var isUndefined: Bool { if case .undefined = self { true } else { false } }

    /// Python's type name, for error messages.
    var typeName: String {
        switch self {
        case .undefined: "Undefined"
        case .none: "NoneType"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "str"
        case .list: "list"
        case .tuple: "tuple"
        case .dict: "dict"
        case .namespace: "Namespace"
        case .macro: "Macro"
        case .function: "builtin_function_or_method"
        case .method: "builtin_function_or_method"
        case .loop: "LoopContext"
        }
    }

    /// Python truthiness; undefined is false.
    var truthy: Bool {
        switch self {
        case .undefined, .none: false
        case let .bool(b): b
        case let .int(i): i != 0
        case let .float(d): d != 0
        case let .string(s): !s.isEmpty
        case let .list(a), let .tuple(a): !a.isEmpty
        case let .dict(d): !d.isEmpty
        case .namespace, .macro, .function, .method, .loop: true
        }
    }

    /// The items of a list or tuple.
    var sequence: [TemplateValue]? {
        switch self {
        case let .list(a), let .tuple(a): a
        default: nil
        }
    }

    /// A number as Python sees one in arithmetic (bool is an int).
    var number: TemplateNumber? {
        switch self {
        case let .bool(b): .int(b ? 1 : 0)
        case let .int(i): .int(i)
        case let .float(d): .float(d)
        default: nil
        }
    }

    /// Converts the caller's JSON; deeper than `maxDepth` is refused so the conversion cannot exhaust the stack.
    static func from(_ json: JSONValue, depth: Int = 0, maxDepth: Int) throws(TemplateError) -> TemplateValue {
        guard depth <= maxDepth else { throw TemplateError(.limit, "input nested deeper than \(maxDepth)") }
        switch json {
        case .null: return .none
        case let .bool(b): return .bool(b)
        case let .int(i): return .int(i)
        case let .double(d): return .float(d)
        case let .string(s): return .string(s)
        case let .array(a):
            var items: [TemplateValue] = []
            items.reserveCapacity(a.count)
            for v in a { items.append(try from(v, depth: depth + 1, maxDepth: maxDepth)) }
            return .list(items)
        case let .object(o):
            var d = TemplateDict()
            for (k, v) in o { d[k] = try from(v, depth: depth + 1, maxDepth: maxDepth) }
            return .dict(d)
        }
    }
}

enum TemplateNumber {
    case int(Int64)
    case float(Double)

    var double: Double {
        switch self {
        case let .int(i): Double(i)
        case let .float(d): d
        }
    }
}

/// The globals a template can call: jinja2's `range`/`namespace`/`dict` and transformers' additions.
enum TemplateFunction: String {
    case range, namespace, dict, raiseException = "raise_exception", strftimeNow = "strftime_now"
}

/// `namespace(...)`: the one mutable object a template can make, so `{% set ns.x = … %}` inside a loop is seen
/// after it (jinja2's scoping otherwise keeps loop assignments inside the loop).
final class TemplateNamespace {
    var attributes = TemplateDict()

    /// transformers refuses underscore-prefixed names on a namespace (they could reach Python internals).
    static func checkName(_ name: String) throws(TemplateError) {
        guard name.hasPrefix("_") else { return }
        throw TemplateError(
            .unsupported,
            "Chat templates cannot store underscore-prefixed attributes on a namespace, but got '\(name)'. "
                + "Please rename the attribute.")
    }
}

/// A macro bound to the scope it was defined in (it reads that scope's variables as they are when it is called).
struct TemplateMacro {
    let definition: TemplateMacroDefinition
    let scope: TemplateScope
}

/// The state behind `loop.*` in one `for` loop.
final class TemplateLoopState {
    let items: [TemplateValue]
    var index0 = 0

    init(items: [TemplateValue]) { self.items = items }

    func attribute(_ name: String) -> TemplateValue? {
        let n = Int64(items.count)
        let i = Int64(index0)
        switch name {
        case "index": return .int(i + 1)
        case "index0": return .int(i)
        case "revindex": return .int(n - i)
        case "revindex0": return .int(n - i - 1)
        case "first": return .bool(i == 0)
        case "last": return .bool(i == n - 1)
        case "length": return .int(n)
        case "depth": return .int(1)
        case "depth0": return .int(0)
        case "previtem": return index0 > 0 ? items[index0 - 1] : .undefined("there is no previous item")
        case "nextitem": return index0 + 1 < items.count ? items[index0 + 1] : .undefined("there is no next item")
        case "cycle": return .method(.loop(self), "cycle")
        default: return nil
        }
    }
}

/// Variables visible at one point of a render: a loop iteration, a macro call or `with` block gets a child
/// scope, so its assignments vanish when it ends (jinja2's rule), while `if` bodies share their scope.
final class TemplateScope {
    private var variables: [String: TemplateValue] = [:]
    let parent: TemplateScope?

    init(parent: TemplateScope?) { self.parent = parent }

    func lookup(_ name: String) -> TemplateValue? {
        var s: TemplateScope? = self
        while let scope = s {
            if let v = scope.variables[name] { return v }
            s = scope.parent
        }
        return nil
    }

    func set(_ name: String, _ value: TemplateValue) { variables[name] = value }
}
