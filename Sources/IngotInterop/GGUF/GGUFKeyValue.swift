import IngotFormat

/// One metadata pair of a GGUF file, in file order.
public struct GGUFKeyValue: Sendable, Equatable {
    public let key: String
    public let value: GGUFValue

    public init(_ key: String, _ value: GGUFValue) {
        self.key = key
        self.value = value
    }

    /// Keys compare by exact code points (`ExactKey`), values as `GGUFValue` does.
    public static func == (a: GGUFKeyValue, b: GGUFKeyValue) -> Bool { sameScalars(a.key, b.key) && a.value == b.value }
}
