import IngotFormat

/// Canonical (Hugging Face) tensor names of the llama family and their GGUF names (specs/canonical.md §3), as
/// llama.cpp's `gguf.get_tensor_name_map` maps them for LLAMA and QWEN2.
enum GGUFCanonicalNames {
    /// A projection whose rows llama.cpp permutes per head (llama only), with the head count it uses.
    enum QKRole: Sendable, Equatable {
        case q, k
    }

    struct Mapped: Equatable {
        let name: String
        let role: QKRole?
    }

    private static let global: [(canonical: String, gguf: String)] = [
        ("model.embed_tokens.weight", "token_embd.weight"),
        ("model.norm.weight", "output_norm.weight"),
        ("lm_head.weight", "output.weight"),
    ]

    /// Per-layer names: `model.layers.N.<canonical>` ↔ `blk.N.<gguf>`.
    private static let layer: [(canonical: String, gguf: String, role: QKRole?)] = [
        ("input_layernorm.weight", "attn_norm.weight", nil),
        ("self_attn.q_proj.weight", "attn_q.weight", .q),
        ("self_attn.q_proj.bias", "attn_q.bias", .q),
        ("self_attn.k_proj.weight", "attn_k.weight", .k),
        ("self_attn.k_proj.bias", "attn_k.bias", .k),
        ("self_attn.v_proj.weight", "attn_v.weight", nil),
        ("self_attn.v_proj.bias", "attn_v.bias", nil),
        ("self_attn.o_proj.weight", "attn_output.weight", nil),
        ("self_attn.o_proj.bias", "attn_output.bias", nil),
        ("post_attention_layernorm.weight", "ffn_norm.weight", nil),
        ("mlp.gate_proj.weight", "ffn_gate.weight", nil),
        ("mlp.gate_proj.bias", "ffn_gate.bias", nil),
        ("mlp.up_proj.weight", "ffn_up.weight", nil),
        ("mlp.up_proj.bias", "ffn_up.bias", nil),
        ("mlp.down_proj.weight", "ffn_down.weight", nil),
        ("mlp.down_proj.bias", "ffn_down.bias", nil),
    ]

    /// The tensor holding llama-3 rope frequency factors; it has no canonical counterpart.
    static let ropeFreqs = "rope_freqs.weight"

    /// Rotary buffers some checkpoints carry; the converter drops them (llama.cpp computes its own).
    static func isDroppedBuffer(_ canonical: String) -> Bool { canonical.hasSuffix(".rotary_emb.inv_freq") }

    static func canonical(fromGGUF name: String) -> Mapped? {
        if let g = global.first(where: { sameScalars($0.gguf, name) }) { return Mapped(name: g.canonical, role: nil) }
        guard let (n, rest) = splitLayer(name, prefix: "blk."),
            let l = layer.first(where: { sameScalars($0.gguf, rest) })
        else { return nil }
        return Mapped(name: "model.layers.\(n).\(l.canonical)", role: l.role)
    }

    static func gguf(fromCanonical name: String) -> Mapped? {
        if let g = global.first(where: { sameScalars($0.canonical, name) }) { return Mapped(name: g.gguf, role: nil) }
        guard let (n, rest) = splitLayer(name, prefix: "model.layers."),
            let l = layer.first(where: { sameScalars($0.canonical, rest) })
        else { return nil }
        return Mapped(name: "blk.\(n).\(l.gguf)", role: l.role)
    }

    /// True for names in the Hugging Face namespace, which llama.cpp would not know if written unmapped.
    static func looksCanonical(_ name: String) -> Bool { name.hasPrefix("model.") || name.hasPrefix("lm_head.") }

    /// `<prefix>N.<rest>` with N a decimal layer index written the one canonical way (no sign, no leading zero), so
    /// that the mapping is a bijection: "blk.01.attn_q.weight" is not a layer name.
    private static func splitLayer(_ name: String, prefix: String) -> (String, String)? {
        guard name.hasPrefix(prefix) else { return nil }
        let tail = name.utf8.dropFirst(prefix.utf8.count)
        guard let dot = tail.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        let digits = tail[..<dot]
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            digits.count == 1 || digits.first != 0x30,
            let n = String(digits), let rest = String(tail[tail.index(after: dot)...])
        else { return nil }
        return (n, rest)
    }
}
