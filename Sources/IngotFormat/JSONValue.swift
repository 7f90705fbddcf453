/// A JSON value that keeps what Ingot's typed metadata needs and Foundation's JSON loses: integers apart from
/// floats (an Int64 never passes through a Double), object key order, and nothing but valid UTF-8.
public enum JSONValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public var stringValue: String? { if case let .string(s) = self { s } else { nil } }
    public var intValue: Int64? { if case let .int(i) = self { i } else { nil } }
    public var boolValue: Bool? { if case let .bool(b) = self { b } else { nil } }
    public var arrayValue: [JSONValue]? { if case let .array(a) = self { a } else { nil } }
    public var objectValue: JSONObject? { if case let .object(o) = self { o } else { nil } }
    /// Integers widen to Double here; use `intValue` when exactness matters.
    public var doubleValue: Double? {
        switch self {
        case let .double(d): d
        case let .int(i): Double(i)
        default: nil
        }
    }

    /// The type name used in error messages and `inspect`.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int: "int"
        case .double: "float"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Compact canonical JSON (see `JSONEncoderCanonical`).
    public var description: String { (try? JSONWriter.encode(self)) ?? "<non-finite number>" }
}

/// An ordered JSON object with unique keys.
public struct JSONObject: Sendable, Equatable, Sequence {
    public private(set) var keys: [String] = []
    private var values: [ExactKey: JSONValue] = [:]

    public init() {}

    public init(_ pairs: [(String, JSONValue)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Setting an existing key replaces its value in place; a new key goes last; nil removes.
    public subscript(key: String) -> JSONValue? {
        get { values[ExactKey(key)] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: ExactKey(key)) == nil { keys.append(key) }
            } else if values.removeValue(forKey: ExactKey(key)) != nil {
                keys.removeAll { ExactKey($0) == ExactKey(key) }
            }
        }
    }

    /// Inserts a key that must not exist yet; false when it does (parsers reject duplicates).
    mutating func insertNew(_ key: String, _ value: JSONValue) -> Bool {
        guard values[ExactKey(key)] == nil else { return false }
        values[ExactKey(key)] = value
        keys.append(key)
        return true
    }

    public func makeIterator() -> AnyIterator<(key: String, value: JSONValue)> {
        var i = 0
        return AnyIterator {
            guard i < keys.count else { return nil }
            defer { i += 1 }
            let k = keys[i]
            return (k, values[ExactKey(k)] ?? .null)
        }
    }
}
