/// Something a user should know that does not stop a pipeline (an unknown architecture in a source, a tensor GGUF
/// export had to write as f32). Pipelines return warnings in their reports instead of printing them.
public struct PipelineWarning: Sendable, Equatable, CustomStringConvertible {
    /// The file the warning is about.
    public let file: String
    public let message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
