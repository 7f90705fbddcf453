#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import IngotFamilies

extension Transformer {
    /// The last hidden states of an encoder (bert layout) for one sequence, bidirectional attention over all of it,
    /// plus the pooler output when the model has one. `tokenTypes` (segment ids) default to 0.
    ///
    /// x = LN(word[ids] + position[0..<T] + type[types]); per block: x = LN(x + O(attention(Q, K, V))),
    /// x = LN(x + W₂·gelu(W₁·x)) — post-norm, as transformers' BertLayer.
    public func encode(_ tokens: [Int], tokenTypes: [Int]? = nil) throws -> HiddenStates {
        let c = config
        guard case let .bert(layers, normWeight, normBias, pooler) = stack else { throw ModelError.decoderOnly }
        guard !tokens.isEmpty else { throw ModelError.emptyInput }
        for t in tokens where t < 0 || t >= c.vocabSize { throw ModelError.tokenOutOfRange(token: t, vocab: c.vocabSize) }
        let types = tokenTypes ?? [Int](repeating: 0, count: tokens.count)
        guard types.count == tokens.count else { throw ModelError.shapeMismatch(tensor: "token types", expected: [tokens.count], found: [types.count]) }
        for t in types where t < 0 || t >= c.typeVocabSize { throw ModelError.tokenTypeOutOfRange(type: t, types: c.typeVocabSize) }
        let t = tokens.count, h = c.hiddenSize
        guard t <= c.maxPositions else { throw ModelError.contextFull(position: t - 1, maxPositions: c.maxPositions) }
        reset()
        BLAS.setThreads(threads)
        ws.reserve(tokens: t, context: t, config: c, threads: threads)
        cache.reserve(rows: t, filled: 0, limit: c.maxPositions)

        try embed(tokens, start: 0, positions: BertNames.positionEmbedding)
        let typeRows = try weights.rows(BertNames.tokenTypeEmbedding, types)
        let x = ws.x.pointer, eps = Float(c.normEps)
        for i in 0..<(t * h) { x[i] += typeRows[i] }
        Norms.layer(x, into: x, rows: t, width: h, weight: normWeight, bias: normBias, eps: eps)
        for (i, layer) in layers.enumerated() { try bertLayer(layer, index: i, tokens: t) }

        var pooled: [Float]? = nil
        if let (w, b) = pooler {
            var out = [Float](repeating: 0, count: h)
            try out.withUnsafeMutableBufferPointer { o in
                guard let base = o.baseAddress else { return }
                try linear(w, input: x, rows: 1, inWidth: h, outWidth: h, into: base, ldc: h, bias: b)
            }
            pooled = out.map { tanhf($0) }
        }
        return HiddenStates(positions: t, width: h, values: Array(UnsafeBufferPointer(start: x, count: t * h)), pooler: pooled)
    }

    /// x = LN(x + attention_out(attention(q, k, v))); x = LN(x + output(gelu(intermediate(x)))).
    func bertLayer(_ l: BertLayer, index: Int, tokens t: Int) throws {
        let c = config, h = c.hiddenSize, f = c.ffnSize, eps = Float(c.normEps)
        let x = ws.x.pointer, q = ws.q.pointer
        let keys = cache.keys[index].pointer, values = cache.values[index].pointer
        try linear(l.query, input: x, rows: t, inWidth: h, outWidth: h, into: q, ldc: h, bias: l.queryBias)
        try linear(l.key, input: x, rows: t, inWidth: h, outWidth: h, into: keys, ldc: h, bias: l.keyBias)
        try linear(l.value, input: x, rows: t, inWidth: h, outWidth: h, into: values, ldc: h, bias: l.valueBias)
        attention.run(q: q, ldq: h, keys: keys, values: values, ldkv: h, out: ws.attn.pointer, ldo: h, tokens: t, start: 0,
                      scores: ws.scores.pointer,
                      threads: threads)
        try linear(l.attentionOut, input: ws.attn.pointer, rows: t, inWidth: h, outWidth: h, into: ws.out.pointer, ldc: h,
                   bias: l.attentionOutBias)
        addResidual(tokens: t)
        Norms.layer(x, into: x, rows: t, width: h, weight: l.attentionNormWeight, bias: l.attentionNormBias, eps: eps)

        let hidden = ws.ffn1.pointer
        try linear(l.intermediate, input: x, rows: t, inWidth: h, outWidth: f, into: hidden, ldc: f, bias: l.intermediateBias)
        c.activation.apply(UnsafeMutableBufferPointer(start: hidden, count: t * f))
        try linear(l.output, input: hidden, rows: t, inWidth: f, outWidth: h, into: ws.out.pointer, ldc: h, bias: l.outputBias)
        addResidual(tokens: t)
        Norms.layer(x, into: x, rows: t, width: h, weight: l.outputNormWeight, bias: l.outputNormBias, eps: eps)
    }
}
