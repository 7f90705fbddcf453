import IngotFormat

/// A single `.npy` array as a tensor source. The tensor is named after the file (its name without `.npy`);
/// little-endian C-order data is a zero-copy view of the mapping, anything else is decoded on `load`.
public final class NpyFile: TensorSource, Sendable {
    public let path: String
    public let file: MappedFile
    public let array: NpyArray
    /// The tensor's name: the file name without its directory and `.npy` extension.
    public let name: String

    public var formatName: String { "npy" }
    public var metadata: JSONObject { JSONObject() }
    public var descriptors: [TensorDescriptor] { [TensorDescriptor(name: name, layout: array.layout)] }

    public convenience init(path: String) throws {
        let f = try withPath(path) { try MappedFile(path: path) }
        try self.init(mapped: f)
    }

    public init(mapped f: MappedFile) throws {
        do { array = try NpyArray(f.bytes) } catch { throw FileError(path: f.path, error) }
        path = f.path
        file = f
        name = Self.tensorName(path: f.path)
    }

    public func load(_ name: String) throws -> TensorBuffer {
        guard name == self.name else { throw FileError(path: path, IngotError.noSuchTensor(name)) }
        guard let data = file.bytes.bounded(array.dataOffset, array.byteCount) else {
            throw FileError(path: path, NpyError.truncatedData(expected: array.byteCount, actual: file.bytes.count - array.dataOffset))
        }
        do { return try array.decode(data, owner: file) } catch { throw FileError(path: path, error) }
    }

    /// `dir/weights.npy` → `weights`. A name that would be empty (`.npy`) becomes "array".
    static func tensorName(path: String) -> String {
        var base = Substring(path)
        if let slash = base.lastIndex(of: "/") { base = base[base.index(after: slash)...] }
        if base.hasSuffix(".npy") { base = base.dropLast(4) }
        return base.isEmpty ? "array" : String(base)
    }
}
