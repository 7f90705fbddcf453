/// One GPT-2 block: Conv1D matrix names (weights stored [in, out]) and its vectors, read once at load time.
struct GPT2Layer {
    let attn, attnProj, fc, mlpProj: String
    let ln1Weight, ln1Bias, ln2Weight, ln2Bias: [Float]
    let attnBias, attnProjBias, fcBias, mlpProjBias: [Float]

    init(index i: Int, config c: ModelConfig, loader: WeightLoader) throws {
        let p = "transformer.h.\(i)."
        let h = c.hiddenSize, f = c.ffnSize
        attn = p + "attn.c_attn.weight"
        attnProj = p + "attn.c_proj.weight"
        fc = p + "mlp.c_fc.weight"
        mlpProj = p + "mlp.c_proj.weight"
        try loader.expect(attn, [h, 3 * h])
        try loader.expect(attnProj, [h, h])
        try loader.expect(fc, [h, f])
        try loader.expect(mlpProj, [f, h])
        ln1Weight = try loader.vector(p + "ln_1.weight", h)
        ln1Bias = try loader.vector(p + "ln_1.bias", h)
        ln2Weight = try loader.vector(p + "ln_2.weight", h)
        ln2Bias = try loader.vector(p + "ln_2.bias", h)
        attnBias = try loader.vector(p + "attn.c_attn.bias", 3 * h)
        attnProjBias = try loader.vector(p + "attn.c_proj.bias", h)
        fcBias = try loader.vector(p + "mlp.c_fc.bias", f)
        mlpProjBias = try loader.vector(p + "mlp.c_proj.bias", h)
    }
}
