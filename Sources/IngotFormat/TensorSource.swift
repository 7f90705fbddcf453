/// A tensor's name and layout, as every format reader lists them.
public struct TensorDescriptor: Sendable, Equatable {
    public let name: String
    public let layout: TensorLayout

    public init(name: String, layout: TensorLayout) {
        self.name = name
        self.layout = layout
    }
}

/// Anything tensors can be read from (Ingot, safetensors, NumPy, …): converters, `inspect` and `check` work on this.
public protocol TensorSource: AnyObject {
    var path: String { get }
    /// A short format name for tables ("ingot", "safetensors", "npz").
    var formatName: String { get }
    var metadata: JSONObject { get }
    var descriptors: [TensorDescriptor] { get }
    /// The decoded bytes of one whole tensor: little-endian, C order. Where the format has checksums (Ingot's XXH3,
    /// zip CRC-32) they are proven before the bytes are returned, so corrupt data is never consumed.
    func load(_ name: String) throws -> TensorBuffer
    /// How a tensor is stored on disk (size, encoding), for `inspect`.
    func storage(of d: TensorDescriptor) -> StorageInfo
    /// Done with this tensor: mapped sources release its pages so streaming a model keeps memory near one tensor.
    /// Buffers already returned by `load` stay valid (their pages fault back in if used).
    func evict(_ name: String)
    /// Things a user should know about this source (an unknown architecture, unlisted tensors): warning lines.
    var warnings: [String] { get }
    /// Every file this source reads, as (name shown to users, path): provenance hashes them.
    var sourceFiles: [(shown: String, path: String)] { get }
    /// The file of `sourceFiles` (its shown name) that holds tensor `name`, for sources spread over several weight
    /// files; nil when every tensor needs every file (one file). A part of a sharded conversion hashes only these.
    func sourceFile(of name: String) -> String?
}

extension IngotFile {
    public var formatName: String { "ingot" }
}

/// How a tensor is stored on disk, for `inspect`'s size/ratio columns.
public struct StorageInfo: Sendable, Equatable {
    public let storedBytes: Int
    public let encoding: String

    public init(storedBytes: Int, encoding: String) {
        self.storedBytes = storedBytes
        self.encoding = encoding
    }
}

extension TensorSource {
    /// Formats without compression store the decoded bytes as they are.
    public func storage(of d: TensorDescriptor) -> StorageInfo {
        StorageInfo(storedBytes: d.layout.byteCount, encoding: "raw")
    }

    public func evict(_ name: String) {}

    public var warnings: [String] { [] }

    public func sourceFile(of name: String) -> String? { nil }

    /// A single-file source: the file itself, shown by its base name.
    public var sourceFiles: [(shown: String, path: String)] {
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        return [(base.split(separator: "/").last.map(String.init) ?? base, base)]
    }
}

extension IngotFile {
    public func evict(_ name: String) {
        guard let t = entry(name) else { return }
        file.evict((dataOffset + t.offset)..<(dataOffset + t.offset + t.length))
    }

    public func storage(of d: TensorDescriptor) -> StorageInfo {
        guard let e = entry(d.name) else { return StorageInfo(storedBytes: d.layout.byteCount, encoding: "raw") }
        return StorageInfo(storedBytes: e.length, encoding: e.encoding.label)
    }
}
