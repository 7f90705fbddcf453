import IngotFormat

extension GGUFMetadata {
    /// Rebuilds typed GGUF pairs from Ingot metadata, in its key order (the `typesKey` entry itself is not a pair).
    ///
    /// A key with an annotation in `typesKey` gets exactly that type, and a value that contradicts it (300 as a u8,
    /// a string as an f32) is an error. A key without one (metadata that never came from GGUF) gets a type inferred
    /// from its JSON: bool → bool, integer → i32 when it fits else i64, float → f64 (lossless), string → str,
    /// an array of one kind → an array of that type (integers widened as one, integers mixed with floats → f64,
    /// an empty array → [str]); objects, nulls and mixed arrays are stored as their JSON text (a str), as
    /// `SafetensorsWriter` stores non-string metadata.
    public static func keyValues(from metadata: JSONObject) throws(GGUFError) -> [GGUFKeyValue] {
        var types = JSONObject()
        if let t = metadata[typesKey] {
            guard let o = t.objectValue else {
                throw .unrepresentableMetadata(key: typesKey, reason: "must be an object of type annotations")
            }
            types = o
        }
        var out: [GGUFKeyValue] = []
        out.reserveCapacity(metadata.count)
        for (key, value) in metadata where !sameScalars(key, typesKey) {
            if let annotation = types[key] {
                out.append(GGUFKeyValue(key, try typed(value, annotation, key: key)))
            } else {
                out.append(GGUFKeyValue(key, try inferred(value, key: key)))
            }
        }
        return out
    }

    // MARK: annotated values

    private static func typed(_ v: JSONValue, _ annotation: JSONValue, key: String) throws(GGUFError) -> GGUFValue {
        switch annotation {
        case let .string(name) where name.hasPrefix("["):
            return .array(try typedArray(v, annotation, key: key))
        case let .string(name):
            guard let t = GGUFValueType(name: name), t != .array else { throw badAnnotation(key, annotation) }
            return try scalar(v, t, key: key)
        case .array:
            return .array(try typedArray(v, annotation, key: key))
        default:
            throw badAnnotation(key, annotation)
        }
    }

    private static func typedArray(_ v: JSONValue, _ annotation: JSONValue, key: String) throws(GGUFError) -> GGUFArray {
        guard let items = v.arrayValue else { throw mismatch(key, v, "an array") }
        if case let .array(inner) = annotation {
            // An array of arrays: one annotation per element.
            guard inner.count == items.count else {
                throw .unrepresentableMetadata(key: key, reason: "type annotation lists \(inner.count) elements, the value has \(items.count)")
            }
            var out: [GGUFArray] = []
            out.reserveCapacity(items.count)
            for (item, a) in zip(items, inner) { out.append(try typedArray(item, a, key: key)) }
            return .array(out)
        }
        guard case let .string(name) = annotation, name.hasPrefix("["), name.hasSuffix("]"), name.count > 2,
            let t = GGUFValueType(name: String(name.dropFirst().dropLast())), t != .array
        else { throw badAnnotation(key, annotation) }
        return try elements(items, t, key: key)
    }

    /// Elements of a non-array type `t`.
    private static func elements(_ items: [JSONValue], _ t: GGUFValueType, key: String) throws(GGUFError) -> GGUFArray {
        func each<T>(_ f: (JSONValue) throws(GGUFError) -> T) throws(GGUFError) -> [T] {
            var out: [T] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try f(item)) }
            return out
        }
        switch t {
        case .uint8: return .uint8(try each { v throws(GGUFError) in try integer(v, UInt8.self, t, key: key) })
        case .int8: return .int8(try each { v throws(GGUFError) in try integer(v, Int8.self, t, key: key) })
        case .uint16: return .uint16(try each { v throws(GGUFError) in try integer(v, UInt16.self, t, key: key) })
        case .int16: return .int16(try each { v throws(GGUFError) in try integer(v, Int16.self, t, key: key) })
        case .uint32: return .uint32(try each { v throws(GGUFError) in try integer(v, UInt32.self, t, key: key) })
        case .int32: return .int32(try each { v throws(GGUFError) in try integer(v, Int32.self, t, key: key) })
        case .uint64: return .uint64(try each { v throws(GGUFError) in try integer(v, UInt64.self, t, key: key) })
        case .int64: return .int64(try each { v throws(GGUFError) in try integer(v, Int64.self, t, key: key) })
        case .float32: return .float32(try each { v throws(GGUFError) in try float32(v, key: key) })
        case .float64: return .float64(try each { v throws(GGUFError) in try float64(v, key: key) })
        case .bool: return .bool(try each { v throws(GGUFError) in try bool(v, key: key) })
        case .string: return .string(try each { v throws(GGUFError) in try string(v, key: key) })
        case .array: throw .unrepresentableMetadata(key: key, reason: "an array of arrays needs one annotation per element")
        }
    }

    private static func scalar(_ v: JSONValue, _ t: GGUFValueType, key: String) throws(GGUFError) -> GGUFValue {
        switch t {
        case .uint8: .uint8(try integer(v, UInt8.self, t, key: key))
        case .int8: .int8(try integer(v, Int8.self, t, key: key))
        case .uint16: .uint16(try integer(v, UInt16.self, t, key: key))
        case .int16: .int16(try integer(v, Int16.self, t, key: key))
        case .uint32: .uint32(try integer(v, UInt32.self, t, key: key))
        case .int32: .int32(try integer(v, Int32.self, t, key: key))
        case .uint64: .uint64(try integer(v, UInt64.self, t, key: key))
        case .int64: .int64(try integer(v, Int64.self, t, key: key))
        case .float32: .float32(try float32(v, key: key))
        case .float64: .float64(try float64(v, key: key))
        case .bool: .bool(try bool(v, key: key))
        case .string: .string(try string(v, key: key))
        case .array: throw badAnnotation(key, .string(t.name))
        }
    }

    /// A JSON integer, or the decimal digits a u64 above 2^63 - 1 is kept as, that fits in `T`.
    private static func integer<T: FixedWidthInteger>(_ v: JSONValue, _: T.Type, _ t: GGUFValueType, key: String)
        throws(GGUFError) -> T
    {
        switch v {
        case let .int(i):
            if let x = T(exactly: i) { return x }
        case let .string(s):
            if let big = UInt64(s), let x = T(exactly: big) { return x }
        default: break
        }
        throw mismatch(key, v, "a \(t.name)")
    }

    /// Finite values are JSON numbers (a double narrows to the nearest f32: exact for values that came from
    /// GGUF); non-finite ones are the strings `json` writes.
    private static func float32(_ v: JSONValue, key: String) throws(GGUFError) -> Float {
        switch v {
        case let .double(d): return Float(d)
        case let .int(i): return Float(i)
        case let .string(s):
            if let bits = nonFinite(s, infinityBits: 0x7F80_0000, defaultNaN: 0x7FC0_0000), let b = UInt32(exactly: bits) {
                let f = Float(bitPattern: b)
                if !f.isFinite { return f }
            }
        default: break
        }
        throw mismatch(key, v, "an f32")
    }

    private static func float64(_ v: JSONValue, key: String) throws(GGUFError) -> Double {
        switch v {
        case let .double(d): return d
        case let .int(i): return Double(i)
        case let .string(s):
            if let bits = nonFinite(s, infinityBits: 0x7FF0_0000_0000_0000, defaultNaN: 0x7FF8_0000_0000_0000) {
                let d = Double(bitPattern: bits)
                if !d.isFinite { return d }
            }
        default: break
        }
        throw mismatch(key, v, "an f64")
    }

    /// Bits of "NaN", "Infinity", "-Infinity" or "NaN(0x…)"; nil for any other text.
    private static func nonFinite(_ s: String, infinityBits: UInt64, defaultNaN: UInt64) -> UInt64? {
        let signBit = infinityBits == 0x7F80_0000 ? UInt64(1) << 31 : UInt64(1) << 63
        switch s {
        case "NaN": return defaultNaN
        case "Infinity": return infinityBits
        case "-Infinity": return infinityBits | signBit
        default:
            guard s.hasPrefix("NaN(0x"), s.hasSuffix(")") else { return nil }
            return UInt64(s.dropFirst(6).dropLast(), radix: 16)
        }
    }

    private static func bool(_ v: JSONValue, key: String) throws(GGUFError) -> Bool {
        guard let b = v.boolValue else { throw mismatch(key, v, "a bool") }
        return b
    }

    private static func string(_ v: JSONValue, key: String) throws(GGUFError) -> String {
        guard let s = v.stringValue else { throw mismatch(key, v, "a str") }
        return s
    }

    private static func mismatch(_ key: String, _ v: JSONValue, _ expected: String) -> GGUFError {
        .unrepresentableMetadata(key: key, reason: "a JSON \(v.typeName) is not \(expected)")
    }

    private static func badAnnotation(_ key: String, _ a: JSONValue) -> GGUFError {
        .unrepresentableMetadata(key: key, reason: "\(a) is not a GGUF type annotation")
    }

    // MARK: inferred values

    private static func inferred(_ v: JSONValue, key: String) throws(GGUFError) -> GGUFValue {
        switch v {
        case let .bool(b): return .bool(b)
        case let .int(i): return Int32(exactly: i).map { .int32($0) } ?? .int64(i)
        case let .double(d): return .float64(d)
        case let .string(s): return .string(s)
        case let .array(items):
            if let a = try inferredArray(items, key: key, depth: 1) { return .array(a) }
            return .string(try jsonText(v, key: key))
        case .null, .object: return .string(try jsonText(v, key: key))
        }
    }

    /// The array type of homogeneous `items`, nil when GGUF cannot hold them as an array (mixed kinds, objects).
    private static func inferredArray(_ items: [JSONValue], key: String, depth: Int) throws(GGUFError) -> GGUFArray? {
        guard depth <= GGUFLimits.maxArrayDepth else { return nil }
        if items.isEmpty { return .string([]) }
        if items.allSatisfy({ $0.boolValue != nil }) { return .bool(items.compactMap(\.boolValue)) }
        if items.allSatisfy({ $0.stringValue != nil }) { return .string(items.compactMap(\.stringValue)) }
        let ints = items.compactMap(\.intValue)
        if ints.count == items.count {
            let narrow = ints.compactMap { Int32(exactly: $0) }
            return narrow.count == ints.count ? .int32(narrow) : .int64(ints)
        }
        let numbers = items.compactMap(\.doubleValue)  // ints widen here
        if numbers.count == items.count { return .float64(numbers) }
        if items.allSatisfy({ $0.arrayValue != nil }) {
            var out: [GGUFArray] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard let inner = try inferredArray(item.arrayValue ?? [], key: key, depth: depth + 1) else { return nil }
                out.append(inner)
            }
            return .array(out)
        }
        return nil
    }

    private static func jsonText(_ v: JSONValue, key: String) throws(GGUFError) -> String {
        do { return try JSONWriter.encode(v) } catch {
            throw .unrepresentableMetadata(key: key, reason: "holds a NaN or infinity, which JSON text cannot")
        }
    }
}
