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

/// An ordered JSON object with unique keys (compared by exact code points, see `ExactKey`).
///
/// Headers hold many small objects (one per tensor, ~8 keys) and a few huge ones (a tokenizer vocabulary), so
/// small objects search their key list and only objects past `indexThreshold` keys keep a hash index.
public struct JSONObject: Sendable, Equatable, Sequence {
    public private(set) var keys: [String] = []
    private var values: [JSONValue] = []
    private var index: [ExactKey: Int]? = nil
    private static let indexThreshold = 16

    public init() {}

    public init(_ pairs: [(String, JSONValue)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    private func position(of key: String) -> Int? {
        if let index { return index[ExactKey(key)] }
        return keys.firstIndex { sameScalars($0, key) }
    }

    private mutating func append(_ key: String, _ value: JSONValue) {
        keys.append(key)
        values.append(value)
        if index != nil {
            index?[ExactKey(key)] = keys.count - 1
        } else if keys.count > Self.indexThreshold {
            var idx = [ExactKey: Int](minimumCapacity: keys.count * 2)
            for (i, k) in keys.enumerated() { idx[ExactKey(k)] = i }
            index = idx
        }
    }

    /// Setting an existing key replaces its value in place; a new key goes last; nil removes.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { values[$0] } }
        set {
            if let i = position(of: key) {
                if let newValue {
                    values[i] = newValue
                } else {
                    keys.remove(at: i)
                    values.remove(at: i)
                    if index != nil {
                        var idx = [ExactKey: Int](minimumCapacity: keys.count)
                        for (j, k) in keys.enumerated() { idx[ExactKey(k)] = j }
                        index = idx
                    }
                }
            } else if let newValue {
                append(key, newValue)
            }
        }
    }

    /// Inserts a key that must not exist yet; false when it does (parsers reject duplicates).
    mutating func insertNew(_ key: String, _ value: JSONValue) -> Bool {
        guard position(of: key) == nil else { return false }
        append(key, value)
        return true
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.keys.count == b.keys.count && zip(a.keys, b.keys).allSatisfy { sameScalars($0, $1) } && a.values == b.values
    }

    public func makeIterator() -> AnyIterator<(key: String, value: JSONValue)> {
        var i = 0
        return AnyIterator {
            guard i < keys.count else { return nil }
            defer { i += 1 }
            return (keys[i], values[i])
        }
    }
}
