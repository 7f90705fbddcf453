import IngotFormat

/// Tensors whose bytes a closure makes (from memory, or a load that fails), so tests feed writers through the same
/// `TensorFileWriter` loop the converter uses.
final class ClosureSource: TensorSource {
    let path = "<memory>"
    let formatName = "memory"
    let metadata: JSONObject
    let descriptors: [TensorDescriptor]
    private let make: (TensorDescriptor) throws -> TensorBuffer

    init(_ descriptors: [TensorDescriptor], metadata: JSONObject = JSONObject(), _ make: @escaping (TensorDescriptor) throws -> TensorBuffer) {
        self.descriptors = descriptors
        self.metadata = metadata
        self.make = make
    }

    func load(_ name: String) throws -> TensorBuffer {
        guard let d = descriptors.first(where: { sameScalars($0.name, name) }) else { throw IngotError.noSuchTensor(name) }
        return try make(d)
    }
}
