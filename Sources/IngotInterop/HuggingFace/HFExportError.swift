import IngotFormat

/// Why a Hugging Face directory cannot be written where or from what it was asked.
public enum HFExportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file the export writes is already there and overwriting was not asked for.
    case fileExists
    /// The output path exists and is not a directory.
    case notADirectory
    /// The directory holds a sharded-weights index, which loaders read instead of `model.safetensors`: the export
    /// would be shadowed by the old shards.
    case shadowingIndex(String)
    /// An `ingot.*` entry the export rebuilds a file from has the wrong JSON type.
    case mistyped(key: String, expected: String)
    /// A sentence-transformers module path that is not one plain folder name (it would write outside the directory).
    case badModulePath(String)

    public var description: String {
        switch self {
        case .fileExists: "already exists"
        case .notADirectory: "exists and is not a directory"
        case let .shadowingIndex(name):
            "holds \(quoted(name)), which loaders read instead of model.safetensors: remove it (and its shards) first"
        case let .mistyped(key, expected): "metadata \(quoted(key)) is not \(expected): its file cannot be rebuilt"
        case let .badModulePath(p): "sentence-transformers module path \(quoted(p)) is not a folder name"
        }
    }
}
