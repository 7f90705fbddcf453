import IngotFamilies

/// The activations of one forward call over T tokens, kept between calls (grown, never shrunk).
final class Workspace {
    /// The residual stream [T, hidden].
    let x = ScratchBuffer()
    /// The normalized stream [T, hidden].
    let xn = ScratchBuffer()
    /// A sublayer's output before it joins the residual [T, hidden].
    let out = ScratchBuffer()
    /// Queries [T, heads·head_dim] (llama) or fused q|k|v [T, 3·hidden] (gpt2).
    let q = ScratchBuffer()
    /// Attention output, heads side by side [T, heads·head_dim].
    let attn = ScratchBuffer()
    /// MLP hidden [T, ffn]: the gate (llama) or c_fc output (gpt2).
    let ffn1 = ScratchBuffer()
    /// MLP up projection [T, ffn] (llama).
    let ffn2 = ScratchBuffer()
    /// Attention scores for one block of query rows [rows, context].
    let scores = ScratchBuffer()
    /// Rotary cos/sin per new position [T, head_dim/2].
    let cos = ScratchBuffer()
    let sin = ScratchBuffer()
    /// A decoding step's activation vector quantized to q8 blocks (`DecodeActivations.q8`).
    let quantized = ScratchBuffer()
    /// One decoded panel of weight rows per worker (`Transformer.panelProduct`).
    let panel = ScratchBuffer()

    /// Floats of one decoded panel at most: 1 MiB, half of a 2 MiB L2, so that the panel, the packed activations
    /// and the output block of its sgemm stay in the cache between decoding and multiplying.
    static let panelElements = 1 << 18

    /// How a product's `rows` × `cols` weight splits into panels: `rows` rows each (a multiple of 16, OpenBLAS's
    /// widest micro-tile; the last panel takes the remainder) and `count` of them, at least 4 so that two or four
    /// workers share even a small matrix. A function of the shape only: the thread count never moves a boundary.
    static func panels(rows: Int, cols: Int) -> (rows: Int, count: Int) {
        let byCache = (rows * cols + panelElements - 1) / panelElements
        let count = max(4, byCache)
        let per = ((rows + count - 1) / count + 15) / 16 * 16
        return (per, (rows + per - 1) / per)
    }

    /// Query rows scored at once: bounds the scores buffer to `queryBlock` × context for long prompts.
    static let queryBlock = 256

    func reserve(tokens t: Int, context: Int, config c: ModelConfig, threads: Int) {
        let h = c.hiddenSize
        x.reserve(t * h)
        xn.reserve(t * h)
        out.reserve(t * h)
        q.reserve(t * max(c.numHeads * c.headDim, c.layout == .gpt2 ? 3 * h : 0))
        attn.reserve(t * c.numHeads * c.headDim)
        ffn1.reserve(t * c.ffnSize)
        if c.layout == .llama { ffn2.reserve(t * c.ffnSize) }
        // A prefill gives each worker its own block of scores; a decoding step holds one row per head.
        // (A prefill whose last layer computes one position takes the one-token path there.)
        scores.reserve(max(c.numHeads, min(t, Self.queryBlock) * max(1, threads)) * context)
        if c.layout == .llama {
            cos.reserve(t * c.headDim / 2)
            sin.reserve(t * c.headDim / 2)
        }
    }
}
