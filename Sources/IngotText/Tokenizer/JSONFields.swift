import IngotFormat

/// Typed reads of one JSON object of tokenizer.json, with the object's path for error messages.
struct JSONFields {
    let object: JSONObject
    let path: String

    init(_ value: JSONValue?, path: String) throws(TokenizerError) {
        guard let o = value?.objectValue else { throw .badField(path: path, expected: "an object") }
        object = o
        self.path = path
    }

    func sub(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The `type` tag.
    func type() throws(TokenizerError) -> String { try string("type") }

    func has(_ key: String) -> Bool {
        if let v = object[key], v != .null { return true }
        return false
    }

    func string(_ key: String) throws(TokenizerError) -> String {
        guard let s = object[key]?.stringValue else { throw .badField(path: sub(key), expected: "a string") }
        return s
    }

    func optionalString(_ key: String) throws(TokenizerError) -> String? {
        guard let v = object[key], v != .null else { return nil }
        guard let s = v.stringValue else { throw .badField(path: sub(key), expected: "a string or null") }
        return s
    }

    func bool(_ key: String, default d: Bool) throws(TokenizerError) -> Bool {
        guard let v = object[key], v != .null else { return d }
        guard let b = v.boolValue else { throw .badField(path: sub(key), expected: "true or false") }
        return b
    }

    func optionalBool(_ key: String) throws(TokenizerError) -> Bool? {
        guard let v = object[key], v != .null else { return nil }
        guard let b = v.boolValue else { throw .badField(path: sub(key), expected: "true, false or null") }
        return b
    }

    func int(_ key: String, default d: Int? = nil, range: ClosedRange<Int64> = 0...Int64(Int32.max)) throws(TokenizerError)
        -> Int
    {
        guard let v = object[key], v != .null else {
            if let d { return d }
            throw .badField(path: sub(key), expected: "an integer")
        }
        guard let i = v.intValue, range.contains(i) else {
            throw .badField(path: sub(key), expected: "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(i)
    }

    func array(_ key: String) throws(TokenizerError) -> [JSONValue] {
        guard let a = object[key]?.arrayValue else { throw .badField(path: sub(key), expected: "an array") }
        return a
    }

    func objects(_ key: String) throws(TokenizerError) -> [JSONFields] {
        var out: [JSONFields] = []
        for (i, v) in try array(key).enumerated() { out.append(try JSONFields(v, path: "\(sub(key))[\(i)]")) }
        return out
    }

    /// One character (Metaspace's replacement, Strip's content).
    func scalar(_ key: String) throws(TokenizerError) -> UInt32 {
        let s = try string(key)
        guard s.unicodeScalars.count == 1, let c = s.unicodeScalars.first else {
            throw .badField(path: sub(key), expected: "one character")
        }
        return c.value
    }

    /// A `{"String": …}` or `{"Regex": …}` pattern.
    func pattern(_ key: String) throws(TokenizerError) -> (isRegex: Bool, text: String) {
        let p = try JSONFields(object[key], path: sub(key))
        if let s = p.object["String"]?.stringValue { return (false, s) }
        if let s = p.object["Regex"]?.stringValue { return (true, s) }
        throw .badField(path: sub(key), expected: "{\"String\": …} or {\"Regex\": …}")
    }

    func behavior(_ key: String, default d: SplitBehavior? = nil) throws(TokenizerError) -> SplitBehavior {
        guard let v = object[key], v != .null else {
            if let d { return d }
            throw .badField(path: sub(key), expected: "a split behavior")
        }
        guard let s = v.stringValue, let b = SplitBehavior(rawValue: s) else {
            throw .badField(path: sub(key), expected: "Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous")
        }
        return b
    }
}
