/// Where a tensor sits in a transformer, read from its name alone: its layer index and what it computes there. The
/// per-tensor SQNR chart groups by both, so a quantizer's trouble with one projection type (say `down`, whose inputs
/// have the largest outliers) shows as a line of low marks of one colour; quantization recipes give some kinds and
/// layers more bits by the same reading.
public struct TensorRole: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case q, k, v, o, gate, up, down, other
    }

    /// nil for tensors outside the layer stack (embeddings, final norm, output head).
    public let layer: Int?
    public let kind: Kind

    /// The names of the layer stack in every family Ingot reads: canonical llama/qwen2 (`model.layers.N.`), GPT-2
    /// (`h.N.`), BERT (`encoder.layer.N.`) and GGUF (`blk.N.`).
    static let stackNames: Set<Substring> = ["layers", "h", "layer", "blk"]

    public init(layer: Int?, kind: Kind) {
        self.layer = layer
        self.kind = kind
    }

    public init(name: String) {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        var layer: Int? = nil
        for i in parts.indices.dropLast() where Self.stackNames.contains(parts[i]) {
            let n = parts[i + 1]
            // At most 9 digits: a hostile name cannot overflow Int, and no model has a billion layers.
            if !n.isEmpty, n.count <= 9, n.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(n) {
                layer = v
                break
            }
        }
        self.layer = layer
        kind = Self.kind(of: name)
    }

    /// Substrings naming each kind in the four families' checkpoint and GGUF names. Order matters: BERT's
    /// `attention.output.dense` is the attention output (`o`) and must win over its FFN `output.dense` (`down`);
    /// GPT-2's `attn.c_proj` is `o`, its `mlp.c_proj` is `down`. A fused QKV (`c_attn`) is `other`.
    private static let patterns: [(Kind, [String])] = [
        (.q, ["q_proj", "attn_q.", ".query.", ".wq."]),
        (.k, ["k_proj", "attn_k.", ".key.", ".wk."]),
        (.v, ["v_proj", "attn_v.", ".value.", ".wv."]),
        (.o, ["o_proj", "attn_output", "attention.output.dense", "attn.c_proj", "out_proj", ".wo."]),
        (.gate, ["gate_proj", "ffn_gate", ".w1."]),
        (.up, ["up_proj", "ffn_up", "intermediate.dense", "mlp.c_fc", ".w3."]),
        (.down, ["down_proj", "ffn_down", "mlp.c_proj", "output.dense", ".w2."]),
    ]

    public static func kind(of name: String) -> Kind {
        for (kind, needles) in patterns where needles.contains(where: { name.contains($0) }) { return kind }
        return .other
    }
}
