import IngotFormat

/// One typed GGUF value, exactly as stored: every integer keeps its width and signedness, floats keep their bits.
///
/// Equality is identity of the stored value: floats compare by bit pattern (a NaN equals the same NaN, and
/// -0.0 differs from 0.0) and strings by exact code points (`sameScalars`), as a byte comparison of two files would.
public enum GGUFValue: Sendable, Equatable, CustomStringConvertible {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case float32(Float)
    case bool(Bool)
    case string(String)
    case array(GGUFArray)
    case uint64(UInt64)
    case int64(Int64)
    case float64(Double)

    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .float32: .float32
        case .bool: .bool
        case .string: .string
        case .array: .array
        case .uint64: .uint64
        case .int64: .int64
        case .float64: .float64
        }
    }

    /// Any integer type as an Int64 when it fits (u64 above 2^63 - 1 does not).
    public var integerValue: Int64? {
        switch self {
        case let .uint8(v): Int64(v)
        case let .int8(v): Int64(v)
        case let .uint16(v): Int64(v)
        case let .int16(v): Int64(v)
        case let .uint32(v): Int64(v)
        case let .int32(v): Int64(v)
        case let .uint64(v): Int64(exactly: v)
        case let .int64(v): v
        default: nil
        }
    }

    public var stringValue: String? { if case let .string(s) = self { s } else { nil } }
    public var arrayValue: GGUFArray? { if case let .array(a) = self { a } else { nil } }

    public static func == (a: GGUFValue, b: GGUFValue) -> Bool {
        switch (a, b) {
        case let (.uint8(x), .uint8(y)): x == y
        case let (.int8(x), .int8(y)): x == y
        case let (.uint16(x), .uint16(y)): x == y
        case let (.int16(x), .int16(y)): x == y
        case let (.uint32(x), .uint32(y)): x == y
        case let (.int32(x), .int32(y)): x == y
        case let (.float32(x), .float32(y)): x.bitPattern == y.bitPattern
        case let (.bool(x), .bool(y)): x == y
        case let (.string(x), .string(y)): sameScalars(x, y)
        case let (.array(x), .array(y)): x == y
        case let (.uint64(x), .uint64(y)): x == y
        case let (.int64(x), .int64(y)): x == y
        case let (.float64(x), .float64(y)): x.bitPattern == y.bitPattern
        default: false
        }
    }

    /// The value as metadata JSON shows it (`GGUFMetadata.json`), prefixed by its type: `u32 5`, `[str] ["a"]`.
    public var description: String {
        "\(GGUFMetadata.typeName(self)) \(GGUFMetadata.json(self))"
    }
}
