import IngotFormat
#if canImport(Glibc)
import Glibc
#endif

/// The formats a conversion writes: chosen by the output's extension, or a Hugging Face directory for a path that
/// ends in `/` or names an existing directory without a file format's extension (`-o out.ingot` that happens to be a
/// directory is an error, not a directory export).
public enum OutputFormat: String, Sendable, Equatable, CaseIterable {
    case ingot, safetensors, gguf
    /// `model.safetensors` plus the config, tokenizer and sentence-transformers files rebuilt from metadata.
    case hfDirectory = "hf-directory"

    public init(path: String) throws(PipelineError) {
        let file = [Self.ingot, .safetensors, .gguf].first(where: { path.hasSuffix(".\($0.rawValue)") })
        if path.hasSuffix("/") || (file == nil && isDirectory(path)) {
            self = .hfDirectory
            return
        }
        guard let file else { throw .unknownOutputFormat(path: path) }
        self = file
    }

    /// Only Ingot stores every block type at any group size (GGUF has its own fixed set, planned by `GGUFExport`); the
    /// others get float tensors.
    var hasBlockTypes: Bool { self == .ingot }
}
