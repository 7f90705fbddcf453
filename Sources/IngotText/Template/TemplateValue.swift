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
    case iterator(TemplateIterator)
    case view(TemplateDictView)
    /// markupsafe's `Markup`, from the `safe` and `escape` filters: a string whose `+`, `*` and `%` escape the
    /// other operand for HTML. Everything else treats it as its text (`plain`).
    case markup(String)

    static func undefinedName(_ name: String) -> TemplateValue { .undefined("'\(name)' is undefined") }

    var isMarkup: Bool { if case .markup = self { true } else { false } }

    /// A `Markup` as its plain text; every other value unchanged.
    var plain: TemplateValue { if case let .markup(s) = self { .string(s) } else { self } }

    /// markupsafe's `escape` of a string.
    static func escapeHTML(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

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
        case let .iterator(it): it.typeName
        case let .view(v): v.kind.rawValue
        case .markup: "Markup"
        }
    }

    /// Python truthiness; undefined is false.
    var truthy: Bool {
        switch self {
        case .undefined, .none: false
        case let .bool(b): b
        case let .int(i): i != 0
        case let .float(d): d != 0
        case let .string(s), let .markup(s): !s.isEmpty
        case let .view(v): !v.items.isEmpty
        case let .list(a), let .tuple(a): !a.isEmpty
        case let .dict(d): !d.isEmpty
        case .namespace, .macro, .function, .method, .loop, .iterator: true
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
