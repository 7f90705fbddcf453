/// The two importance-matrix layouts llama.cpp's tools read and write.
public enum ImatrixFormat: String, Sendable, CaseIterable {
    /// A GGUF file with `general.type = imatrix`: per matrix, `<name>.in_sum2` (f32 [matrices, columns] sums of
    /// squared activations) and `<name>.counts` (f32 [matrices, 1] token counts); datasets and chunk figures as keys.
    case gguf
    /// llama-imatrix's original binary `.dat` layout: per entry the name, the call count and the per-column means
    /// scaled by the call count; then the chunk count and the dataset name.
    case legacy

    /// The layout a file name asks for: `.dat` is legacy, anything else GGUF (llama-imatrix's own rule).
    public init(path: String) { self = path.hasSuffix(".dat") ? .legacy : .gguf }
}
