/// The formats a conversion writes, chosen by the output's extension.
public enum OutputFormat: String, Sendable, Equatable, CaseIterable {
    case ingot, safetensors, gguf

    public init(path: String) throws(PipelineError) {
        guard let f = Self.allCases.first(where: { path.hasSuffix(".\($0.rawValue)") }) else {
            throw .unknownOutputFormat(path: path)
        }
        self = f
    }

    /// Only Ingot stores q8_0/q4_0/q4_1 at any group size; the others get float tensors.
    var hasBlockTypes: Bool { self == .ingot }
}
