import IngotFormat

/// Why an importance-matrix file cannot be read, or a matrix cannot be used for a model. One case per rule;
/// `description` is the one line the CLI prints after the file name.
public enum ImatrixError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Neither a GGUF imatrix nor llama.cpp's legacy `.dat` layout.
    case unknownFormat
    /// The file ends inside `what`.
    case truncated(what: String)
    /// A count or length beyond Ingot's caps (`ImatrixLimits`).
    case tooLarge(what: String, value: Int64)
    /// An entry name that is empty or not UTF-8.
    case badName(index: Int)
    /// Two entries for one tensor.
    case duplicate(String)
    /// Bytes left after the last field of a legacy file.
    case trailingBytes(Int)
    /// A GGUF file without `general.type = imatrix`, or whose tensors are not `<name>.in_sum2` / `<name>.counts`
    /// pairs of f32 with matching shapes.
    case notAnImatrix(reason: String)
    /// A sum or count that is negative, NaN or infinite.
    case badValue(tensor: String)
    /// The model has a tensor the matrix does not cover (without `--imatrix-partial`).
    case missingTensor(String)
    /// The matrix's column count for a tensor differs from the tensor's row length.
    case columnMismatch(tensor: String, imatrix: Int, tensorColumns: Int)

    public var description: String {
        switch self {
        case .unknownFormat: "not an importance matrix (neither GGUF nor llama.cpp's legacy .dat layout)"
        case let .truncated(w): "file ends inside \(w)"
        case let .tooLarge(w, v): "\(w) \(v) is over Ingot's limit"
        case let .badName(i): "entry \(i) has an empty or non-UTF-8 name"
        case let .duplicate(n): "two entries for \(quoted(n))"
        case let .trailingBytes(n): "\(n) bytes after the last entry"
        case let .notAnImatrix(r): "not an importance matrix: \(r)"
        case let .badValue(t): "entry \(quoted(t)) holds a negative, NaN or infinite value"
        case let .missingTensor(t):
            "no entry for tensor \(quoted(t)); calibrate on this model, or pass --imatrix-partial to quantize it unweighted"
        case let .columnMismatch(t, i, c):
            "entry \(quoted(t)) has \(i) columns, the tensor's rows have \(c): the matrix was made for another model"
        }
    }
}

/// Caps on what an importance-matrix file may declare, checked before anything is allocated.
public enum ImatrixLimits {
    /// Entries (weight matrices): a 1T-parameter MoE has a few thousand.
    public static let maxEntries = 1 << 20
    public static let maxNameBytes = 4096
    /// Values of one entry: 2^28 floats (1 GiB) — far beyond any row length × expert count in use.
    public static let maxValues = 1 << 28
}
