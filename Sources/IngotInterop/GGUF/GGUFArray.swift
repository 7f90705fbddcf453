import IngotFormat

/// A GGUF array: one element type and its elements, stored compactly per type (a million-entry u8 or i32 array is
/// a plain Swift array, not a million enum values). Arrays of arrays are allowed and each inner array has its own
/// element type, as gguf-py writes them.
///
/// Equality compares floats by bit pattern and strings by exact code points, like `GGUFValue`.
public enum GGUFArray: Sendable, Equatable {
    case uint8([UInt8])
    case int8([Int8])
    case uint16([UInt16])
    case int16([Int16])
    case uint32([UInt32])
    case int32([Int32])
    case float32([Float])
    case bool([Bool])
    case string([String])
    case array([GGUFArray])
    case uint64([UInt64])
    case int64([Int64])
    case float64([Double])

    public var elementType: GGUFValueType {
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

    public var count: Int {
        switch self {
        case let .uint8(a): a.count
        case let .int8(a): a.count
        case let .uint16(a): a.count
        case let .int16(a): a.count
        case let .uint32(a): a.count
        case let .int32(a): a.count
        case let .float32(a): a.count
        case let .bool(a): a.count
        case let .string(a): a.count
        case let .array(a): a.count
        case let .uint64(a): a.count
        case let .int64(a): a.count
        case let .float64(a): a.count
        }
    }

    /// Element `i` as a value (0 ≤ i < count).
    public subscript(i: Int) -> GGUFValue {
        switch self {
        case let .uint8(a): .uint8(a[i])
        case let .int8(a): .int8(a[i])
        case let .uint16(a): .uint16(a[i])
        case let .int16(a): .int16(a[i])
        case let .uint32(a): .uint32(a[i])
        case let .int32(a): .int32(a[i])
        case let .float32(a): .float32(a[i])
        case let .bool(a): .bool(a[i])
        case let .string(a): .string(a[i])
        case let .array(a): .array(a[i])
        case let .uint64(a): .uint64(a[i])
        case let .int64(a): .int64(a[i])
        case let .float64(a): .float64(a[i])
        }
    }

    /// The elements as values (convenient, not compact).
    public var values: [GGUFValue] { (0..<count).map { self[$0] } }

    public static func == (a: GGUFArray, b: GGUFArray) -> Bool {
        switch (a, b) {
        case let (.uint8(x), .uint8(y)): x == y
        case let (.int8(x), .int8(y)): x == y
        case let (.uint16(x), .uint16(y)): x == y
        case let (.int16(x), .int16(y)): x == y
        case let (.uint32(x), .uint32(y)): x == y
        case let (.int32(x), .int32(y)): x == y
        case let (.float32(x), .float32(y)): x.map(\.bitPattern) == y.map(\.bitPattern)
        case let (.bool(x), .bool(y)): x == y
        case let (.string(x), .string(y)): x.count == y.count && zip(x, y).allSatisfy { sameScalars($0, $1) }
        case let (.array(x), .array(y)): x == y
        case let (.uint64(x), .uint64(y)): x == y
        case let (.int64(x), .int64(y)): x == y
        case let (.float64(x), .float64(y)): x.map(\.bitPattern) == y.map(\.bitPattern)
        default: false
        }
    }
}
