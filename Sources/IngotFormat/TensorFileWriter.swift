/// Every model-file writer (Ingot, safetensors, GGUF, a Hugging Face directory): tensors appended in order, each
/// exactly its descriptor's bytes (little-endian, C order); `finish` makes the output appear atomically
/// (`AtomicFile`); `abort` — or an error from any call, or dropping the writer — leaves nothing at the path.
///
/// Writers whose header lists every tensor before the data (safetensors, GGUF) are built with that plan and refuse
/// a tensor that is not the next planned one; Ingot writes its header last and takes any layout.
public protocol TensorFileWriter: AnyObject {
    var path: String { get }
    func append(_ d: TensorDescriptor, bytes: UnsafeRawBufferPointer) throws
    func finish() throws
    func abort()
}

extension TensorFileWriter {
    public func append(_ d: TensorDescriptor, _ buffer: TensorBuffer) throws {
        try buffer.withBytes { try append(d, bytes: $0) }
    }

    /// The one write loop: every tensor of `source`, in its order, as `produce` makes it from its index and
    /// descriptor (a conversion's cast or quantization), appended, then its source pages evicted so that memory
    /// stays near one tensor. Any error abandons the output and is rethrown as it came (a source names its own file,
    /// a writer its path). Does not finish: the caller may still set what is written last (Ingot's provenance).
    public func appendAll(from source: any TensorSource,
                          _ produce: (Int, TensorDescriptor) throws -> (TensorDescriptor, TensorBuffer)) throws {
        do {
            for (i, d) in source.descriptors.enumerated() {
                let (out, buffer) = try produce(i, d)
                try append(out, buffer)
                source.evict(d.name)
            }
        } catch {
            abort()
            throw error
        }
    }

    /// Copies every tensor of `source` as it loads, then finishes.
    public func write(_ source: any TensorSource) throws {
        try appendAll(from: source) { _, d in (d, try source.load(d.name)) }
        try finish()
    }
}
