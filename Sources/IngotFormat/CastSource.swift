/// A source whose float tensors read as another float type (`convert --dtype` for outputs written from a whole
/// source at once, such as GGUF; the cast-model logits tests). Casting happens tensor by tensor on `load`.
public final class CastSource: TensorSource {
    public let base: any TensorSource
    public let dtype: DType
    public let descriptors: [TensorDescriptor]

    public init(_ base: any TensorSource, to dtype: DType) throws {
        self.base = base
        self.dtype = dtype
        descriptors = try base.descriptors.map { d in
            guard d.layout.dtype.isFloat, d.layout.dtype != dtype else { return d }
            return TensorDescriptor(name: d.name, layout: try TensorLayout(name: d.name, dtype: dtype, shape: d.layout.shape, groupSize: nil))
        }
    }

    public var path: String { base.path }
    public var formatName: String { base.formatName }
    public var metadata: JSONObject { base.metadata }

    public func load(_ name: String) throws -> TensorBuffer {
        let b = try base.load(name)
        guard let d = base.descriptors.first(where: { sameScalars($0.name, name) }), d.layout.dtype.isFloat, d.layout.dtype != dtype else { return b }
        let from = d.layout.dtype, to = dtype
        return try withPath(path) { try b.withBytes { try FloatConversion.cast($0, from: from, to: to) } }
    }

    public func evict(_ name: String) { base.evict(name) }
}
