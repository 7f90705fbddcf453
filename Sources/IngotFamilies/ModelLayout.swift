/// The network shapes IngotModel runs. A family names the one its checkpoints use, so the forward pass dispatches on
/// this and never on a family's name.
public enum ModelLayout: String, Sendable, Equatable, CaseIterable {
    /// Pre-norm decoder: RMSNorm, rotary positions, gated MLP, grouped-query attention (llama, qwen2, mistral).
    case llama
    /// GPT-2: pre-LayerNorm decoder, learned positions, Conv1D weights stored [in, out], fused q|k|v.
    case gpt2
    /// BERT encoder: word + position + token-type embeddings, post-LayerNorm blocks, bidirectional attention.
    case bert

    /// Decoders predict the next token (logits); encoders produce hidden states (embeddings).
    public var isDecoder: Bool { self != .bert }
    /// The norm every block of this layout uses, as `ingot.config` spells it.
    public var norm: String { self == .llama ? "rmsnorm" : "layernorm" }
    /// The position scheme, as `ingot.config` spells it.
    public var position: String { self == .llama ? "rope" : "learned" }
}
