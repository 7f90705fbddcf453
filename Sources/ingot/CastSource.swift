import IngotFormat

/// A source whose float tensors read as another float type (`convert --dtype` for outputs written from a whole
/// source at once, such as GGUF). Casting happens tensor by tensor on `load`.
final class CastSource: TensorSource {
    let base: any TensorSource
    let dtype: DType
    let descriptors: [TensorDescriptor]

    init(_ base: any TensorSource, to dtype: DType) throws {
        self.base = base
        self.dtype = dtype
        descriptors = try base.descriptors.map { d in
            guard d.layout.dtype.isFloat, d.layout.dtype != dtype else { return d }
            return TensorDescriptor(name: d.name, layout: try TensorLayout(name: d.name, dtype: dtype, shape: d.layout.shape, groupSize: nil))
        }
    }

    var path: String { base.path }
    var formatName: String { base.formatName }
    var metadata: JSONObject { base.metadata }

    func load(_ name: String) throws -> TensorBuffer {
        let b = try base.load(name)
        guard let d = base.descriptors.first(where: { sameScalars($0.name, name) }), d.layout.dtype.isFloat, d.layout.dtype != dtype else { return b }
        let from = d.layout.dtype, to = dtype
        return try withPath(path) { try b.withBytes { try FloatConversion.cast($0, from: from, to: to) } }
    }

    func evict(_ name: String) { base.evict(name) }
}
