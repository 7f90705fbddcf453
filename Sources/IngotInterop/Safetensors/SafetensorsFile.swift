import IngotFormat

/// An open safetensors file. Opening maps it and proves the layout from the header exactly as strictly as the
/// safetensors Rust crate (see `SafetensorsError`); tensors are then zero-copy views of the mapping.
public final class SafetensorsFile: TensorSource, Sendable {
    public let path: String
    public let file: MappedFile
    /// The header length N (the data buffer starts at 8 + N).
    public let headerLength: Int
    /// `__metadata__` in header order; every value is a `.string`.
    public let metadata: JSONObject
    /// In data-offset order, as the Rust crate orders them.
    public let descriptors: [TensorDescriptor]
    /// Each tensor's `data_offsets`, relative to the data buffer, parallel to `descriptors`.
    public let dataOffsets: [Range<Int>]
    private let index: [ExactKey: Int]

    public var formatName: String { "safetensors" }

    public convenience init(path: String) throws {
        let f = try withPath(path) { try MappedFile(path: path) }
        try self.init(mapped: f)
    }

    public init(mapped f: MappedFile) throws {
        let header: SafetensorsHeader
        do { header = try SafetensorsHeader(file: f.bytes) } catch { throw FileError(path: f.path, error) }
        path = f.path
        file = f
        headerLength = header.headerLength
        metadata = header.metadata
        descriptors = header.tensors.map(\.descriptor)
        dataOffsets = header.tensors.map { $0.begin..<$0.end }
        // Names are unique: the JSON parser rejects duplicate keys.
        var idx = [ExactKey: Int](minimumCapacity: descriptors.count)
        for (i, d) in descriptors.enumerated() { idx[ExactKey(d.name)] = i }
        index = idx
    }

    public func evict(_ name: String) {
        guard let i = index[ExactKey(name)] else { return }
        let r = dataOffsets[i]
        file.evict((8 + headerLength + r.lowerBound)..<(8 + headerLength + r.upperBound))
    }

    /// A zero-copy view of the tensor's bytes; the buffer keeps the mapping alive.
    public func load(_ name: String) throws -> TensorBuffer {
        guard let i = index[ExactKey(name)] else { throw FileError(path: path, IngotError.noSuchTensor(name)) }
        let r = dataOffsets[i]
        // In bounds: the header proved 8 + N + end of the last tensor == file length.
        guard let bytes = file.bytes.bounded(8 + headerLength + r.lowerBound, r.count) else {
            throw FileError(path: path, SafetensorsError.dataBeyondFile(expectedSize: 8 + headerLength + r.upperBound,
                                                                        fileSize: file.bytes.count))
        }
        return TensorBuffer(bytes: bytes, owner: file)
    }
}
