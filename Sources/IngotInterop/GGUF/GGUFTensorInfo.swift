/// One tensor as the GGUF header describes it, after validation.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// GGUF order: `dims[0]` is the innermost (fastest-varying) dimension, ggml's `ne[0]`.
    public let dims: [Int]
    public let type: GGUFTensorType
    /// Relative to the start of the data section, a multiple of the file's alignment.
    public let offset: Int
    /// Stored bytes: (elements / block size) × type size.
    public let byteCount: Int
    public let elementCount: Int

    /// Ingot / safetensors / numpy order (outermost first): `dims` reversed.
    public var shape: [Int] { dims.reversed() }
}
