import IngotFormat

/// How GGUF key-value pairs become Ingot metadata (JSON) and back (specs/gguf-mapping.md, "Metadata").
///
/// Each pair becomes one entry `key: value`, in file order, with the value as natural JSON: integers of every width
/// as JSON integers, floats as JSON numbers (an f32 widened exactly to a double), bools, strings, arrays. Two things
/// JSON cannot hold are kept as strings: a u64 above 2^63 - 1 (its exact decimal digits) and a non-finite float
/// ("NaN", "Infinity", "-Infinity", or "NaN(0x…)" with the bit pattern for any NaN but the default quiet one).
/// Last comes one entry under `typesKey`: an object giving every key's GGUF type, so that the pairs can be rebuilt
/// exactly (`keyValues(from:)`) — an Ingot file converted from GGUF converts back to the same pairs.
///
/// A type annotation is a string for scalars ("u32", "f32", "str", …) and for arrays of non-arrays ("[i32]",
/// "[str]"); an array of arrays is annotated by a JSON array holding each element's annotation (inner arrays may
/// have different element types).
public enum GGUFMetadata {
    /// The metadata entry holding the value types. No GGUF producer uses this key; the reader refuses a file that
    /// does (`GGUFError.reservedKey`) rather than let it collide.
    public static let typesKey = "gguf.value_types"

    /// The metadata object for `keyValues` (values, then the types entry).
    public static func json(_ keyValues: [GGUFKeyValue]) -> JSONObject {
        var object = JSONObject()
        var types = JSONObject()
        for kv in keyValues {
            object[kv.key] = json(kv.value)
            types[kv.key] = typeAnnotation(kv.value)
        }
        if !keyValues.isEmpty { object[typesKey] = .object(types) }
        return object
    }

    /// One value as natural JSON (see the type's documentation for u64 and non-finite floats).
    public static func json(_ value: GGUFValue) -> JSONValue {
        switch value {
        case let .uint8(v): .int(Int64(v))
        case let .int8(v): .int(Int64(v))
        case let .uint16(v): .int(Int64(v))
        case let .int16(v): .int(Int64(v))
        case let .uint32(v): .int(Int64(v))
        case let .int32(v): .int(Int64(v))
        case let .int64(v): .int(v)
        case let .uint64(v): json(v)
        case let .float32(v): json(v)
        case let .float64(v): json(v)
        case let .bool(v): .bool(v)
        case let .string(v): .string(v)
        case let .array(a): json(a)
        }
    }

    static func json(_ a: GGUFArray) -> JSONValue {
        switch a {
        case let .uint8(v): .array(v.map { .int(Int64($0)) })
        case let .int8(v): .array(v.map { .int(Int64($0)) })
        case let .uint16(v): .array(v.map { .int(Int64($0)) })
        case let .int16(v): .array(v.map { .int(Int64($0)) })
        case let .uint32(v): .array(v.map { .int(Int64($0)) })
        case let .int32(v): .array(v.map { .int(Int64($0)) })
        case let .int64(v): .array(v.map { .int($0) })
        case let .uint64(v): .array(v.map { json($0) })
        case let .float32(v): .array(v.map { json($0) })
        case let .float64(v): .array(v.map { json($0) })
        case let .bool(v): .array(v.map { .bool($0) })
        case let .string(v): .array(v.map { .string($0) })
        case let .array(v): .array(v.map { json($0) })
        }
    }

    private static func json(_ v: UInt64) -> JSONValue {
        if let i = Int64(exactly: v) { return .int(i) }
        return .string(String(v))  // JSON integers are Int64 in Ingot: keep the exact digits
    }

    private static func json(_ v: Float) -> JSONValue {
        if v.isFinite { return .double(Double(v)) }  // widening is exact
        return .string(nonFiniteText(v.isNaN, v.sign == .minus, bits: UInt64(v.bitPattern), defaultNaN: 0x7FC0_0000))
    }

    private static func json(_ v: Double) -> JSONValue {
        if v.isFinite { return .double(v) }
        return .string(nonFiniteText(v.isNaN, v.sign == .minus, bits: v.bitPattern, defaultNaN: 0x7FF8_0000_0000_0000))
    }

    private static func nonFiniteText(_ isNaN: Bool, _ negative: Bool, bits: UInt64, defaultNaN: UInt64) -> String {
        guard isNaN else { return negative ? "-Infinity" : "Infinity" }
        return bits == defaultNaN ? "NaN" : "NaN(0x\(String(bits, radix: 16)))"
    }

    /// The type annotation of a value (see the type's documentation).
    public static func typeAnnotation(_ value: GGUFValue) -> JSONValue {
        guard case let .array(a) = value else { return .string(value.type.name) }
        return typeAnnotation(a)
    }

    static func typeAnnotation(_ a: GGUFArray) -> JSONValue {
        guard case let .array(inner) = a else { return .string("[\(a.elementType.name)]") }
        return .array(inner.map { typeAnnotation($0) })
    }

    /// A one-line type name for messages: "u32", "[str]", "[[i32]]" (an empty or mixed array of arrays: "[arr]").
    public static func typeName(_ value: GGUFValue) -> String {
        guard case let .array(a) = value else { return value.type.name }
        return typeName(a)
    }

    static func typeName(_ a: GGUFArray) -> String {
        guard case let .array(inner) = a else { return "[\(a.elementType.name)]" }
        let names = Set(inner.map { typeName($0) })
        return names.count == 1 ? "[\(names.first ?? "arr")]" : "[arr]"
    }
}
