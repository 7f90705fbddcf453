import IngotFamilies
import IngotFormat

/// llama.cpp's quantization mixes (`llama-quantize … Q4_K_M`): one base type, with more bits for the tensors that
/// hurt most when quantized coarsely — the output head, attention v and FFN down in the first and last eighth of
/// the layers and every third layer between — and a fallback type for rows whose length the base type's
/// super-block (256) does not divide. The rules (specs/quant.md §10) follow `llama_tensor_get_type` of the llama.cpp
/// that llama-cpp-python 0.3.36 ships, for dense models (no mixture-of-experts rules).
public enum QuantRecipe: String, Sendable, CaseIterable {
    case q2_k, q3_k_s, q3_k_m, q3_k_l, q4_k_s, q4_k_m, q5_k_s, q5_k_m, q6_k

    /// The type most tensors get.
    public var baseType: DType {
        switch self {
        case .q2_k: .q2_k
        case .q3_k_s, .q3_k_m, .q3_k_l: .q3_k
        case .q4_k_s, .q4_k_m: .q4_k
        case .q5_k_s, .q5_k_m: .q5_k
        case .q6_k: .q6_k
        }
    }

    /// llama.cpp's `llama_ftype` id, which GGUF outputs record as `general.file_type`.
    public var fileType: UInt32 {
        switch self {
        case .q2_k: 10
        case .q3_k_s: 11
        case .q3_k_m: 12
        case .q3_k_l: 13
        case .q4_k_s: 14
        case .q4_k_m: 15
        case .q5_k_s: 16
        case .q5_k_m: 17
        case .q6_k: 18
        }
    }

    /// What the recipe needs to know about the whole model before deciding a tensor.
    public struct Model: Sendable, Equatable {
        /// Attention v matrices (llama.cpp's `n_attention_wv`): one per layer.
        public var attentionV: Int
        /// FFN down matrices (`n_ffn_down`).
        public var ffnDown: Int
        /// Query heads per kv head (`n_gqa`); 1 without grouped-query attention.
        public var gqa: Int
        /// The model has its own output head (else the token embedding is the head and gets the head's type).
        public var hasOutput: Bool

        public init(attentionV: Int, ffnDown: Int, gqa: Int, hasOutput: Bool) {
            self.attentionV = attentionV
            self.ffnDown = ffnDown
            self.gqa = gqa
            self.hasOutput = hasOutput
        }

        /// Counted from the tensor names; `gqa` from the config (`ingot.config` heads / kv heads).
        public init(names: [String], gqa: Int) {
            attentionV = names.filter { TensorRole.kind(of: $0) == .v && $0.hasSuffix("weight") }.count
            ffnDown = names.filter { TensorRole.kind(of: $0) == .down && $0.hasSuffix("weight") }.count
            self.gqa = max(1, gqa)
            hasOutput = names.contains(where: QuantRecipe.isOutputHead)
        }
    }

    /// The type for one quantizable 2-D weight, and why when it is not the base type. `rowLength` decides the
    /// fallback: a K-quant needs rows of whole 256-element super-blocks.
    public func type(for name: String, rowLength: Int, model: Model) -> (DType, reason: String?) {
        let role = TensorRole(name: name)
        var t = baseType
        var why: String? = nil
        func more(_ type: DType, _ reason: String) {
            t = type
            why = reason
        }
        let isHead = Self.isOutputHead(name) || (!model.hasOutput && Self.isTokenEmbedding(name))
        if isHead {
            // The output head (or the tied embedding serving as one): Q6_K, or Q8_0 when its rows do not split into
            // super-blocks.
            if rowLength % 256 != 0 { return (.q8_0, "output head, row \(rowLength) ∤ 256") }
            return (.q6_k, "output head")
        }
        let layer = role.layer ?? 0
        switch role.kind {
        case .v:
            let n = model.attentionV
            switch self {
            case .q2_k: more(model.gqa >= 4 ? .q4_k : .q3_k, "attn_v")
            case .q3_k_m: more(layer < 2 ? .q5_k : .q4_k, "attn_v")
            case .q3_k_l: more(.q5_k, "attn_v")
            case .q4_k_m, .q5_k_m: if Self.useMoreBits(layer, n) { more(.q6_k, "attn_v, layer \(layer) of \(n)") }
            case .q4_k_s: if layer < 4 { more(.q5_k, "attn_v, layer \(layer) < 4") }
            default: break
            }
        case .down:
            let n = model.ffnDown
            switch self {
            case .q2_k: more(.q3_k, "ffn_down")
            case .q3_k_m:
                more(layer < n / 16 ? .q5_k : .q4_k, "ffn_down")
            case .q3_k_l: more(.q5_k, "ffn_down")
            case .q4_k_m: if Self.useMoreBits(layer, n) { more(.q6_k, "ffn_down, layer \(layer) of \(n)") }
            case .q5_k_m: if Self.useMoreBits(layer, n) { more(.q6_k, "ffn_down, layer \(layer) of \(n)") }
            case .q4_k_s: if layer < n / 8 { more(.q5_k, "ffn_down, layer \(layer) < \(n / 8)") }
            default: break
            }
        case .o:
            switch self {
            case .q2_k: more(.q3_k, "attn_output")
            case .q3_k_m: more(.q4_k, "attn_output")
            case .q3_k_l: more(.q5_k, "attn_output")
            default: break
            }
        default: break
        }
        guard let fallback = Self.fallback(t, rowLength: rowLength) else { return (t, why) }
        let note = "row \(rowLength) ∤ 256: \(fallback.rawValue) for \(t.rawValue)"
        return (fallback, [why, note].compactMap { $0 }.joined(separator: "; "))
    }

    /// llama.cpp's substitute for a K-quant on rows that are not whole 256-element super-blocks (nil when `t` fits
    /// or is not a K-quant). The vendored llama.cpp writes Q4_0 for 2- and 3-bit K-quants (older ones wrote IQ4_NL):
    /// checked against llama-quantize's own output for SmolLM2 (scripts/kquant_recipes.py).
    public static func fallback(_ t: DType, rowLength: Int) -> DType? {
        guard t.fixedGroupSize == 256, rowLength % 256 != 0 else { return nil }
        switch t {
        case .q4_k: return .q5_0
        case .q5_k: return .q5_1
        case .q6_k: return .q8_0
        default: return .q4_0
        }
    }

    /// llama.cpp's `use_more_bits`: the first and last eighth of the layers, and every third layer in between.
    static func useMoreBits(_ i: Int, _ n: Int) -> Bool { i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2 }

    public static func isOutputHead(_ name: String) -> Bool {
        name == "output.weight" || name == "lm_head.weight"
    }

    public static func isTokenEmbedding(_ name: String) -> Bool {
        name == "token_embd.weight" || name.hasSuffix("embed_tokens.weight") || name.hasSuffix("wte.weight")
            || name.hasSuffix("word_embeddings.weight")
    }
}
