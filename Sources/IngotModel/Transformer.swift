import IngotFamilies

/// The reference forward pass (f32 compute) of the canonical layouts: llama (llama, qwen2), gpt2 and bert encoders.
///
/// `prefill` runs a whole prompt through each layer at once (every projection multiplies all T tokens at once, in
/// panels of the weight's rows decoded on Ingot's worker threads; attention runs heads in parallel);
/// `step` feeds one more token against the key/value cache. Both share one code path, `forward`, which appends
/// T tokens after the cached ones, so a step is a forward call with T = 1. The math is in specs/forward.md.
///
/// Weights stay in the provider: each matrix is decoded to f32 right before its product (a panel of rows per worker
/// when the provider lends stored bytes, else the whole matrix) and released after it.
/// Activations, the cache and the rotary tables live in buffers reused across calls.
///
/// Encoders (bert) have no next-token logits: `encode` runs them, bidirectionally, from an empty state each call.
///
/// Not thread-safe (it owns the cache). Llama-layout logits are bit-identical from run to run and for any `threads`
/// on one machine and library build: work splits along boundaries fixed by the shapes, each piece on one thread
/// with single-threaded sgemm. GPT-2's Conv1D products and BERT run on OpenBLAS's threads, whose count (process-wide,
/// set to `threads` for them) decides how a product is partitioned: those are bit-identical for a fixed count.
public final class Transformer {
    public let config: ModelConfig
    public let weights: any WeightProvider
    public let threads: Int
    /// How many positions the cache holds: the next token goes at this position.
    public private(set) var position = 0
    /// How decoding steps multiply block-quantized weights (prefill always dequantizes for sgemm).
    public var decodeActivations: DecodeActivations = .f32
    /// True during a multi-token forward call's layers: their products stay on the prefill path (sgemm over panels)
    /// even when the last layer multiplies a single row, so a prompt's logits never take the decoding steps' product
    /// arithmetic (`decodeActivations`, q8 in `generate`).
    var multiRow = false
    /// For providers that lend no stored bytes (whole f32 matrices only): elements of the largest weight matrix a
    /// multi-row product takes at once (16 Mi: 64 MiB); larger ones (output heads) go in blocks of rows.
    var chunkElements = 16 << 20
    /// Called after each layer of a multi-token forward pass with (layers done, layers): progress for long prompts.
    public var layerProgress: ((Int, Int) -> Void)?
    /// Sees the input of every weight-matrix product before it runs: (weight name, rows × cols activations, rows,
    /// cols), rows one token each. Calibration (`ingot calibrate`) sums the squared columns from here.
    public var inputObserver: ((_ weight: String, _ input: UnsafePointer<Float>, _ rows: Int, _ cols: Int) -> Void)?

    enum Stack {
        case llama([LlamaLayer], finalNorm: [Float], head: String, rope: RotaryEmbedding)
        case gpt2([GPT2Layer], finalNormWeight: [Float], finalNormBias: [Float])
        case bert([BertLayer], normWeight: [Float], normBias: [Float], pooler: (weight: String, bias: [Float])?)
    }

    let stack: Stack
    let embedding: String
    let attention: Attention
    let cache: KVCache
    let ws = Workspace()

    /// Checks every tensor the config implies (names and shapes) and reads the small vectors; matrices are read
    /// later, one at a time. `threads` is OpenBLAS's thread count for this model's products.
    public init(config: ModelConfig, weights: any WeightProvider, threads: Int = 1) throws {
        try config.validate()
        guard threads >= 1, threads <= 1024 else { throw ModelError.tooLarge("thread count \(threads)") }
        self.config = config
        self.weights = weights
        self.threads = threads
        let loader = WeightLoader(weights: weights)
        let c = config
        switch c.layout {
        case .llama:
            embedding = LlamaNames.embedding
            try loader.expect(embedding, [c.vocabSize, c.hiddenSize])
            let layers = try Self.layers(c.numLayers, loader, named: { LlamaNames.layer($0).q }) {
                try LlamaLayer(index: $0, config: c, loader: loader)
            }
            let finalNorm = try loader.vector(LlamaNames.finalNorm, c.hiddenSize)
            let head = c.tiedEmbeddings ? embedding : LlamaNames.head
            try loader.expect(head, [c.vocabSize, c.hiddenSize])
            let rope = RotaryEmbedding(headDim: c.headDim, theta: c.ropeTheta, scaling: c.ropeScaling)
            stack = .llama(layers, finalNorm: finalNorm, head: head, rope: rope)
        case .gpt2:
            embedding = GPT2Names.tokenEmbedding
            try loader.expect(embedding, [c.vocabSize, c.hiddenSize])
            try loader.expect(GPT2Names.positionEmbedding, [c.maxPositions, c.hiddenSize])
            let layers = try Self.layers(c.numLayers, loader, named: { GPT2Names.layer($0).attn }) {
                try GPT2Layer(index: $0, config: c, loader: loader)
            }
            stack = .gpt2(layers, finalNormWeight: try loader.vector(GPT2Names.finalNormWeight, c.hiddenSize),
                          finalNormBias: try loader.vector(GPT2Names.finalNormBias, c.hiddenSize))
        case .bert:
            embedding = BertNames.wordEmbedding
            try loader.expect(embedding, [c.vocabSize, c.hiddenSize])
            try loader.expect(BertNames.positionEmbedding, [c.maxPositions, c.hiddenSize])
            try loader.expect(BertNames.tokenTypeEmbedding, [c.typeVocabSize, c.hiddenSize])
            let layers = try Self.layers(c.numLayers, loader, named: { BertNames.layer($0).query }) {
                try BertLayer(index: $0, config: c, loader: loader)
            }
            // The pooler (dense + tanh over [CLS]) is optional: sentence-transformers checkpoints often drop it.
            var pooler: (String, [Float])? = nil
            if weights.shape(BertNames.poolerWeight) != nil {
                try loader.expect(BertNames.poolerWeight, [c.hiddenSize, c.hiddenSize])
                pooler = (BertNames.poolerWeight, try loader.vector(BertNames.poolerBias, c.hiddenSize))
            }
            stack = .bert(layers, normWeight: try loader.vector(BertNames.embeddingNormWeight, c.hiddenSize),
                          normBias: try loader.vector(BertNames.embeddingNormBias, c.hiddenSize), pooler: pooler)
        }
        attention = Attention(heads: c.numHeads, kvHeads: c.numKVHeads, headDim: c.headDim, causal: c.layout.isDecoder)
        cache = KVCache(layers: c.numLayers, width: c.numKVHeads * c.headDim)
    }

    /// One layer per index, built after the count is checked against the weights. `num_layers` comes from a config
    /// file: `(0..<n).map` reserves n slots up front, so a config claiming 10^9 layers would abort the process
    /// allocating them (and the cache sizes per-layer buffers from it) before any tensor said otherwise. The count
    /// must match the layers present — layer n − 1 exists, layer n does not — and the array grows only as each
    /// layer's tensors are proven.
    static func layers<L>(_ n: Int, _ loader: WeightLoader, named first: (Int) -> String,
                          _ make: (Int) throws -> L) throws -> [L] {
        try loader.expectLayerCount(n, named: first)
        var layers: [L] = []
        for i in 0..<n { layers.append(try make(i)) }
        return layers
    }

    /// The inverse rotary frequencies in use (empty for gpt2), for checks against a reference.
    public var ropeInverseFrequencies: [Float] {
        if case let .llama(_, _, _, rope) = stack { return rope.invFreq }
        return []
    }

    /// Forgets the cache: the next token goes at position 0.
    public func reset() { position = 0 }

    /// Logits for every position of `tokens`, starting from an empty cache (which it leaves filled, so `step`
    /// can continue the sequence).
    public func prefill(_ tokens: [Int], logitsFrom: Int = 0) throws -> Logits {
        reset()
        return try forward(tokens, logitsFrom: logitsFrom)
    }

    /// The logits after one more token.
    public func step(_ token: Int) throws -> [Float] {
        try forward([token]).values
    }

    /// Runs `tokens` at positions `position ..< position + tokens.count` against the cache and returns their
    /// logits from position `logitsFrom` on (clamped to the last): generation needs only the last one, a perplexity
    /// window its second half, and a long prompt's full [T, vocab] logits can be hundreds of megabytes. On error the
    /// cache position is unchanged.
    public func forward(_ tokens: [Int], logitsFrom: Int = 0) throws -> Logits {
        let c = config
        guard c.layout.isDecoder else { throw ModelError.encoderOnly }
        guard !tokens.isEmpty else { throw ModelError.emptyInput }
        for t in tokens where t < 0 || t >= c.vocabSize { throw ModelError.tokenOutOfRange(token: t, vocab: c.vocabSize) }
        let start = position, t = tokens.count
        guard t <= c.maxPositions - start else {
            throw ModelError.contextFull(position: start + t - 1, maxPositions: c.maxPositions)
        }
        BLAS.setThreads(threads)
        ws.reserve(tokens: t, context: start + t, config: c, threads: threads)
        cache.reserve(rows: start + t, filled: start, limit: c.maxPositions)

        let logits: Logits
        switch stack {
        case let .llama(layers, finalNorm, head, rope):
            try embed(tokens, start: start, positions: nil)
            rotaryTables(rope, tokens: t, start: start)
            // The last layer's outputs feed only the logits: as llama.cpp does, compute them for the positions that
            // get logits (its keys and values still go into the cache for every position). Calibration watches every
            // product's input, so it keeps every row.
            let from = inputObserver == nil ? min(max(0, logitsFrom), t - 1) : 0
            multiRow = t > 1
            defer { multiRow = false }
            for (i, layer) in layers.enumerated() {
                try llamaLayer(layer, index: i, tokens: t, start: start, rope: rope, outputsFrom: i == layers.count - 1 ? from : 0)
                if t > 1 { layerProgress?(i + 1, layers.count) }
            }
            multiRow = false  // the head of a single position multiplies its stored blocks directly, as before
            Norms.rms(ws.x.pointer, into: ws.xn.pointer, rows: t, width: c.hiddenSize, weight: finalNorm, eps: Float(c.normEps))
            logits = try outputHead(head, tokens: t, from: min(max(0, logitsFrom), t - 1))
        case let .gpt2(layers, lnW, lnB):
            try embed(tokens, start: start, positions: GPT2Names.positionEmbedding)
            for (i, layer) in layers.enumerated() {
                try gpt2Layer(layer, index: i, tokens: t, start: start)
                if t > 1 { layerProgress?(i + 1, layers.count) }
            }
            Norms.layer(ws.x.pointer, into: ws.xn.pointer, rows: t, width: c.hiddenSize, weight: lnW, bias: lnB,
                        eps: Float(c.normEps))
            logits = try outputHead(embedding, tokens: t, from: min(max(0, logitsFrom), t - 1))
        case .bert:
            throw ModelError.encoderOnly
        }
        position = start + t
        return logits
    }

    /// x = embedding rows of the tokens (+ learned position rows for gpt2).
    func embed(_ tokens: [Int], start: Int, positions: String?) throws {
        let h = config.hiddenSize, n = tokens.count * h
        let e = try weights.rows(embedding, tokens)
        guard e.count == n else { throw ModelError.shapeMismatch(tensor: embedding, expected: [tokens.count, h], found: [e.count]) }
        let x = ws.x.pointer
        for i in 0..<n { x[i] = e[i] }
        if let positions {
            let p = try weights.rows(positions, Array(start..<(start + tokens.count)))
            guard p.count == n else { throw ModelError.shapeMismatch(tensor: positions, expected: [tokens.count, h], found: [p.count]) }
            for i in 0..<n { x[i] += p[i] }
        }
    }

    private func rotaryTables(_ rope: RotaryEmbedding, tokens t: Int, start: Int) {
        let half = config.headDim / 2
        for r in 0..<t { rope.angles(position: start + r, cos: ws.cos.pointer + r * half, sin: ws.sin.pointer + r * half) }
    }

    /// logits[T, vocab] = x̂ · Eᵀ with E [vocab, hidden] (lm_head, or the tied embedding).
    /// Logits of positions `from ..< all`.
    private func outputHead(_ name: String, tokens all: Int, from: Int) throws -> Logits {
        let v = config.vocabSize, h = config.hiddenSize
        let t = all - from
        let xn = ws.xn.pointer + (all - t) * h
        let values = try [Float](unsafeUninitializedCapacity: t * v) { out, count in
            guard let base = out.baseAddress else { throw ModelError.emptyInput }  // t, v ≥ 1: never taken
            try linear(name, input: xn, rows: t, inWidth: h, outWidth: v, into: base, ldc: v, bias: nil)
            count = t * v
        }
        return Logits(positions: t, vocab: v, values: values)
    }
}
