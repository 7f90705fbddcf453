import IngotFormat

/// Tensors held in memory, for hand-made weights (a quantized tensor, an integer tensor).
final class MemorySource: TensorSource {
    let path = "<memory>"
    let formatName = "memory"
    let metadata = JSONObject()
    private(set) var descriptors: [TensorDescriptor] = []
    private var buffers: [String: TensorBuffer] = [:]

    func add(_ name: String, _ layout: TensorLayout, bytes: [UInt8]) {
        descriptors.append(TensorDescriptor(name: name, layout: layout))
        buffers[name] = bytes.withUnsafeBytes { TensorBuffer(copying: $0) }
    }

    func load(_ name: String) throws -> TensorBuffer {
        guard let b = buffers[name] else { throw IngotError.noSuchTensor(name) }
        return b
    }
}
