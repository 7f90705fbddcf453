import IngotFormat

/// Another source with every float tensor rounded to `dtype` (f16, bf16) on load, the way the fixture's
/// `logits-f16.npy` / `logits-bf16.npy` models were made.
final class CastSource: TensorSource {
    let base: any TensorSource
    let dtype: DType
    let descriptors: [TensorDescriptor]

    init(_ base: any TensorSource, to dtype: DType) throws {
        self.base = base
        self.dtype = dtype
        descriptors = try base.descriptors.map { d in
            TensorDescriptor(name: d.name, layout: try TensorLayout(name: d.name, dtype: dtype, shape: d.layout.shape, groupSize: nil))
        }
    }

    var path: String { base.path }
    var formatName: String { base.formatName }
    var metadata: JSONObject { base.metadata }

    func load(_ name: String) throws -> TensorBuffer {
        guard let d = base.descriptors.first(where: { $0.name == name }) else { throw IngotError.noSuchTensor(name) }
        return try base.load(name).withBytes { try FloatConversion.cast($0, from: d.layout.dtype, to: dtype) }
    }
}
