import IngotFamilies

/// One BERT encoder block: its matrix names (named by the family) and its biases and LayerNorm parameters, read once
/// at load time.
struct BertLayer {
    let query, key, value, attentionOut, intermediate, output: String
    let queryBias, keyBias, valueBias, attentionOutBias, intermediateBias, outputBias: [Float]
    let attentionNormWeight, attentionNormBias, outputNormWeight, outputNormBias: [Float]

    init(index i: Int, config c: ModelConfig, loader: WeightLoader) throws {
        let n = BertNames.layer(i)
        let h = c.hiddenSize, f = c.ffnSize
        (query, key, value, attentionOut, intermediate, output) = (n.query, n.key, n.value, n.attentionOut, n.intermediate, n.output)
        for m in [query, key, value, attentionOut] { try loader.expect(m, [h, h]) }
        try loader.expect(intermediate, [f, h])
        try loader.expect(output, [h, f])
        queryBias = try loader.vector(n.queryBias, h)
        keyBias = try loader.vector(n.keyBias, h)
        valueBias = try loader.vector(n.valueBias, h)
        attentionOutBias = try loader.vector(n.attentionOutBias, h)
        intermediateBias = try loader.vector(n.intermediateBias, f)
        outputBias = try loader.vector(n.outputBias, h)
        attentionNormWeight = try loader.vector(n.attentionNormWeight, h)
        attentionNormBias = try loader.vector(n.attentionNormBias, h)
        outputNormWeight = try loader.vector(n.outputNormWeight, h)
        outputNormBias = try loader.vector(n.outputNormBias, h)
    }
}
