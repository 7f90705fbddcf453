/// A source whose float and block-quantized tensors read as one float type (`convert --dtype` for outputs written
/// from a whole source at once, such as GGUF; the cast-model logits tests): `--dtype` means the same for every output
/// — quantized tensors are dequantized (`BlockCodec`, exact) and then rounded to the type, float tensors are cast
/// (round to nearest even), integer tensors are kept. Casting happens tensor by tensor on `load`.
public final class CastSource: TensorSource {
    public let base: any TensorSource
    public let dtype: DType
    public let descriptors: [TensorDescriptor]
    /// Each tensor's layout in `base`, by name.
    private let original: [ExactKey: TensorLayout]

    public init(_ base: any TensorSource, to dtype: DType) throws {
        self.base = base
        self.dtype = dtype
        var original = [ExactKey: TensorLayout](minimumCapacity: base.descriptors.count)
        for d in base.descriptors where original[ExactKey(d.name)] == nil { original[ExactKey(d.name)] = d.layout }
        self.original = original
        descriptors = try base.descriptors.map { d in
            guard Self.casts(d.layout, to: dtype) else { return d }
            return TensorDescriptor(name: d.name, layout: try TensorLayout(name: d.name, dtype: dtype, shape: d.layout.shape, groupSize: nil))
        }
    }

    static func casts(_ l: TensorLayout, to dtype: DType) -> Bool {
        (l.dtype.isFloat || l.dtype.isBlockQuantized) && l.dtype != dtype
    }

    public var path: String { base.path }
    public var formatName: String { base.formatName }
    public var metadata: JSONObject { base.metadata }
    public var warnings: [String] { base.warnings }
    public var sourceFiles: [(shown: String, path: String)] { base.sourceFiles }
    public func sourceFile(of name: String) -> String? { base.sourceFile(of: name) }

    public func load(_ name: String) throws -> TensorBuffer {
        var b = try base.load(name)
        guard var l = original[ExactKey(name)], Self.casts(l, to: dtype) else { return b }
        let to = dtype
        return try withPath(path) {
            if l.dtype.isBlockQuantized {
                b = try BlockCodec.floatBuffer(b, layout: l, name: name)
                l = try TensorLayout(name: name, dtype: .f32, shape: l.shape, groupSize: nil)
                if to == .f32 { return b }
            }
            let from = l.dtype
            return try b.withBytes { try FloatConversion.cast($0, from: from, to: to) }
        }
    }

    public func evict(_ name: String) { base.evict(name) }
}
