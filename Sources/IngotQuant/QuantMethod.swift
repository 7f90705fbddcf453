/// How `Quantizer` chooses each group's scale (and, for q4_1, minimum). Both methods write the same block layout
/// (`specs/quant.md`); they differ only in which scale they pick.
public enum QuantMethod: String, Sendable, CaseIterable, Equatable {
    /// ggml's reference quantizers (`quantize_row_q8_0_ref`, `q4_0_ref`, `q4_1_ref`) bit for bit, generalised to any
    /// group size: the scale comes from the group's extreme values. At group size 32 the blocks are byte-identical
    /// to GGUF's Q8_0 / Q4_0 / Q4_1. Fast; use it when files must match other tools exactly.
    case ref
    /// Searches each group's scale (and q4_1 minimum) for the least squared error, optionally weighted by a
    /// per-column importance vector. Lower error than `ref` for the same bytes; deterministic. The default.
    case search
}
