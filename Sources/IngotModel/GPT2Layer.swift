import IngotFamilies

/// One GPT-2 block: Conv1D matrix names (weights stored [in, out], named by the family) and its vectors, read once
/// at load time.
struct GPT2Layer {
    let attn, attnProj, fc, mlpProj: String
    let ln1Weight, ln1Bias, ln2Weight, ln2Bias: [Float]
    let attnBias, attnProjBias, fcBias, mlpProjBias: [Float]

    init(index i: Int, config c: ModelConfig, loader: WeightLoader) throws {
        let n = GPT2Names.layer(i)
        let h = c.hiddenSize, f = c.ffnSize
        (attn, attnProj, fc, mlpProj) = (n.attn, n.attnProj, n.fc, n.mlpProj)
        try loader.expect(attn, [h, 3 * h])
        try loader.expect(attnProj, [h, h])
        try loader.expect(fc, [h, f])
        try loader.expect(mlpProj, [f, h])
        ln1Weight = try loader.vector(n.ln1Weight, h)
        ln1Bias = try loader.vector(n.ln1Bias, h)
        ln2Weight = try loader.vector(n.ln2Weight, h)
        ln2Bias = try loader.vector(n.ln2Bias, h)
        attnBias = try loader.vector(n.attnBias, 3 * h)
        attnProjBias = try loader.vector(n.attnProjBias, h)
        fcBias = try loader.vector(n.fcBias, f)
        mlpProjBias = try loader.vector(n.mlpProjBias, h)
    }
}
