import IngotFormat

/// Typed reads of one JSON object with `ModelConfigError`s that name the key (prefixed by `path`, so errors from
/// a nested object read "rope_parameters.factor"). JSON null counts as absent: `CanonicalConfig` writes null for
/// keys the source config lacked.
public struct ConfigReader {
    public let object: JSONObject
    public let path: String

    public init(_ object: JSONObject, path: String = "") {
        self.object = object
        self.path = path
    }

    public func key(_ k: String) -> String { path.isEmpty ? k : path + "." + k }

    public func value(_ k: String) -> JSONValue? {
        guard let v = object[k], v != .null else { return nil }
        return v
    }

    public func has(_ k: String) -> Bool { value(k) != nil }

    /// Integers may arrive as integral floats (`8192.0`) from hand-edited configs; anything else fractional is an error.
    public func int(_ k: String) throws(ModelConfigError) -> Int? {
        guard let v = value(k) else { return nil }
        switch v {
        case let .int(i):
            guard let n = Int(exactly: i) else { throw .invalidValue(key: key(k), reason: "\(i) is out of range") }
            return n
        case let .double(d):
            guard d.isFinite, d.rounded() == d, let n = Int(exactly: d) else {
                throw .wrongType(key: key(k), expected: "an integer", found: "\(d)")
            }
            return n
        default: throw .wrongType(key: key(k), expected: "an integer", found: v.typeName)
        }
    }

    public func requiredInt(_ k: String) throws(ModelConfigError) -> Int {
        guard let n = try int(k) else { throw .missingKey(key(k)) }
        return n
    }

    /// A dimension: a positive integer small enough for BLAS's 32-bit arguments.
    public func positive(_ k: String, default d: Int? = nil) throws(ModelConfigError) -> Int {
        guard let n = try int(k) ?? d else { throw .missingKey(key(k)) }
        guard n > 0 else { throw .invalidValue(key: key(k), reason: "must be positive, found \(n)") }
        guard n <= Int(Int32.max) else { throw .invalidValue(key: key(k), reason: "\(n) is too large") }
        return n
    }

    public func double(_ k: String) throws(ModelConfigError) -> Double? {
        guard let v = value(k) else { return nil }
        guard let d = v.doubleValue else { throw .wrongType(key: key(k), expected: "a number", found: v.typeName) }
        guard d.isFinite else { throw .invalidValue(key: key(k), reason: "must be finite") }
        return d
    }

    public func requiredDouble(_ k: String) throws(ModelConfigError) -> Double {
        guard let d = try double(k) else { throw .missingKey(key(k)) }
        return d
    }

    public func bool(_ k: String) throws(ModelConfigError) -> Bool? {
        guard let v = value(k) else { return nil }
        guard let b = v.boolValue else { throw .wrongType(key: key(k), expected: "a bool", found: v.typeName) }
        return b
    }

    public func string(_ k: String) throws(ModelConfigError) -> String? {
        guard let v = value(k) else { return nil }
        guard let s = v.stringValue else { throw .wrongType(key: key(k), expected: "a string", found: v.typeName) }
        return s
    }

    public func object(_ k: String) throws(ModelConfigError) -> JSONObject? {
        guard let v = value(k) else { return nil }
        guard let o = v.objectValue else { throw .wrongType(key: key(k), expected: "an object", found: v.typeName) }
        return o
    }
}
