#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// Applies the activation in place.
    func apply(_ x: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .silu:
            for i in x.indices { let v = x[i]; x[i] = v / (1 + expf(-v)) }
        case .geluTanh:
            // √(2/π) rounded to f32, as transformers' NewGELUActivation computes it in the tensor's dtype.
            let c: Float = 0.7978845608028654
            for i in x.indices { let v = x[i]; x[i] = 0.5 * v * (1 + tanhf(c * (v + 0.044715 * v * v * v))) }
        case .gelu:
            for i in x.indices { let v = x[i]; x[i] = 0.5 * v * (1 + erff(v * 0.7071067811865476)) }
        }
    }

    /// silu(gate) · up, written into `gate`: SwiGLU's gating without a second buffer.
    func applyGated(_ gate: UnsafeMutableBufferPointer<Float>, up: UnsafeBufferPointer<Float>) {
        apply(gate)
        for i in gate.indices { gate[i] *= up[i] }
    }
}
