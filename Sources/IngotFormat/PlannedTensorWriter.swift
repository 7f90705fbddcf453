/// The writer of formats whose header lists every tensor before the data (safetensors, GGUF): the header is
/// written when the writer is made, then each tensor must be exactly the next one the header lists, followed by zero
/// padding to `alignment`. Like ggml's `gguf_write`, the sizes the header promised and the bytes written cannot
/// differ: a tensor out of order, with another layout or another byte count, or a missing one is an error, so a
/// file that finishes is always the file its header describes. Memory stays bounded by one tensor.
public final class PlannedTensorWriter: TensorFileWriter {
    public let plan: [TensorDescriptor]
    /// Each tensor's bytes are followed by zeros up to a multiple of this (1: tensors back to back).
    public let alignment: Int
    private let file: PendingFile
    private var next = 0

    public var path: String { file.path }

    /// `header` is every byte before the first tensor, padding included.
    public init(path: String, header: [UInt8], plan: [TensorDescriptor], alignment: Int = 1) throws {
        guard alignment > 0 else { throw FileError(path: path, IngotError.unsupported("tensor alignment \(alignment) is not positive")) }
        self.plan = plan
        self.alignment = alignment
        file = try PendingFile(path: path)
        try file.step { try $0.write(header) }
    }

    public func append(_ d: TensorDescriptor, bytes: UnsafeRawBufferPointer) throws {
        try file.step { f in
            guard next < plan.count, sameScalars(plan[next].name, d.name), plan[next].layout == d.layout else {
                throw TensorWriteError.notPlanned(tensor: d.name, layout: d.layout, planned: next < plan.count ? plan[next] : nil)
            }
            guard bytes.count == d.layout.byteCount else {
                throw TensorWriteError.sizeMismatch(tensor: d.name, count: bytes.count, expected: d.layout.byteCount)
            }
            try f.write(bytes)
            try Self.writeZeros((alignment - bytes.count % alignment) % alignment, to: f)
            next += 1
        }
    }

    public func finish() throws {
        try file.commit { _ in
            guard next == plan.count else { throw TensorWriteError.incomplete(missing: plan.count - next, next: plan[next].name) }
        }
    }

    public func abort() { file.abort() }

    static func writeZeros(_ n: Int, to f: AtomicFile) throws(IngotError) {
        var left = n
        while left > 0 {
            let k = min(left, 1 << 16)
            try f.write([UInt8](repeating: 0, count: k))
            left -= k
        }
    }
}
