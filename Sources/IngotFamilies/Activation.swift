/// The MLP nonlinearity, by its Hugging Face `hidden_act` / `activation_function` name.
public enum Activation: String, Sendable, Equatable {
    /// x·σ(x) (`silu`, `swish`): llama and qwen2.
    case silu
    /// GPT-2's tanh approximation, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (`gelu_new`, `gelu_pytorch_tanh`).
    case geluTanh = "gelu_new"
    /// The exact erf form, 0.5·x·(1 + erf(x/√2)) (`gelu`).
    case gelu

    public init?(name: String) {
        switch name {
        case "silu", "swish": self = .silu
        case "gelu_new", "gelu_pytorch_tanh": self = .geluTanh
        case "gelu": self = .gelu
        default: return nil
        }
    }
}
