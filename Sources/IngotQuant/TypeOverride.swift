import IngotFormat

/// One per-tensor type rule of a `QuantPolicy`: tensors whose name matches `pattern` get `dtype` (a block type, or
/// f32/f16/bf16 to stay float in that type).
public struct TypeOverride: Sendable, Equatable {
    public static let allowedTypes: [DType] = DType.allCases.filter(\.isBlockQuantized) + [.f32, .f16, .bf16]

    public let pattern: String
    public let dtype: DType

    public init(pattern: String, dtype: DType) throws(IngotError) {
        guard Self.allowedTypes.contains(dtype) else {
            throw IngotError.unsupported("a type override must be a block type (\(DType.allCases.filter(\.isBlockQuantized).map(\.rawValue).joined(separator: ", "))) or f32, f16, bf16 (got \(dtype.rawValue))")
        }
        self.pattern = pattern
        self.dtype = dtype
    }

    /// `REGEX=TYPE`; the last `=` separates them, so the pattern may contain `=`.
    public init(parsing spec: String) throws(IngotError) {
        guard let eq = spec.lastIndex(of: "=") else {
            throw IngotError.unsupported("a type override needs the form REGEX=TYPE (got \(quoted(spec)))")
        }
        let typeName = String(spec[spec.index(after: eq)...])
        guard let t = DType(rawValue: typeName) else {
            throw IngotError.unsupported("type override \(quoted(spec)): unknown type \(quoted(typeName))")
        }
        try self.init(pattern: String(spec[..<eq]), dtype: t)
    }
}
