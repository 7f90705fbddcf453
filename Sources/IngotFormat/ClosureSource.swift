/// A tensor source whose bytes a closure makes: tensors generated in memory (or computed on demand) fed to any
/// `TensorFileWriter` through the same loop the converter uses, e.g.
/// `try IngotWriter(path: "out.ingot").write(ClosureSource(descriptors) { d in … })`.
public final class ClosureSource: TensorSource {
    public let path: String
    public let formatName = "memory"
    public let metadata: JSONObject
    public let descriptors: [TensorDescriptor]
    private let index: [ExactKey: Int]
    private let make: (TensorDescriptor) throws -> TensorBuffer

    /// `make` is called once per `load`, with the tensor's descriptor; its buffer must hold `layout.byteCount` bytes.
    public init(_ descriptors: [TensorDescriptor], metadata: JSONObject = JSONObject(), path: String = "<memory>",
                _ make: @escaping (TensorDescriptor) throws -> TensorBuffer) {
        self.descriptors = descriptors
        self.metadata = metadata
        self.path = path
        self.make = make
        var index = [ExactKey: Int](minimumCapacity: descriptors.count)
        for (i, d) in descriptors.enumerated() where index[ExactKey(d.name)] == nil { index[ExactKey(d.name)] = i }
        self.index = index
    }

    public func load(_ name: String) throws -> TensorBuffer {
        guard let i = index[ExactKey(name)] else { throw IngotError.noSuchTensor(name) }
        return try make(descriptors[i])
    }
}
