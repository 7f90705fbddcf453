/// `openTensorSource` could not tell which format a file is in.
public enum SourceOpenError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Neither the first bytes nor the extension match a format this build reads.
    case unrecognisedFormat

    public var description: String {
        switch self {
        case .unrecognisedFormat: "unrecognised format (expected Ingot, safetensors, GGUF, PyTorch, .npy or .npz)"
        }
    }
}
