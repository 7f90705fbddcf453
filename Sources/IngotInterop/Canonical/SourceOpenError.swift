/// `openTensorSource` could not tell which format a file is in, or `openModelSource` found no model in it.
public enum SourceOpenError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Neither the first bytes nor the extension match a format this build reads.
    case unrecognisedFormat
    /// A valid file of `format` that holds no tensors, named where a model was expected.
    case noTensors(format: String)

    public var description: String {
        switch self {
        case .unrecognisedFormat: "unrecognised format (expected Ingot, safetensors, GGUF, PyTorch, .npy or .npz)"
        case let .noTensors(f): "no tensors: an empty \(Self.kind(f)) is not a model"
        }
    }

    private static func kind(_ format: String) -> String {
        switch format {
        case "npz": "npz archive"
        case "pytorch": "PyTorch checkpoint"
        case "hf-directory": "model directory"
        default: format + " file"
        }
    }
}
