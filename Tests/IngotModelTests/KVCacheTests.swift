#if canImport(Glibc)
import Glibc
#endif
import IngotFamilies
import IngotFormat
import IngotInterop
import Testing

@testable import IngotModel

extension ModelTests {
    /// Decoding against the cache gives the logits a whole-sequence prefill gives, position by position.
    @Suite struct KVCacheTests {
        /// sgemm with one row takes other kernels (and summation orders) than with twelve, so equality is to
        /// rounding: far below the differences the fixtures' sensitivity checks show (≥ 0.49).
        static let tolerance: Float = 1e-4

        @Test("step(token) equals prefill at every position", arguments: ModelFixture.all)
        func stepEqualsPrefill(_ m: ModelFixture) throws {
            let model = try m.load()
            let tokens = Fixtures.tokens
            let full = try model.prefill(tokens)
            model.reset()
            var worst: Float = 0
            for (i, t) in tokens.enumerated() {
                #expect(model.position == i)
                let row = try model.step(t)
                let d = maxAbsDiff(row[...], full.row(i))
                worst = max(worst, d)
                #expect(d <= Self.tolerance, "\(m.name) position \(i): max |Δ| \(d)")
                #expect(argmax(row[...]) == full.argmax(i), "\(m.name) position \(i)")
            }
            print("kv cache \(m.name): step vs prefill max |Δ| \(worst)")
        }

        @Test("a prompt in chunks equals the prompt at once, and prefill restarts the cache", arguments: ModelFixture.all)
        func chunks(_ m: ModelFixture) throws {
            let model = try m.load()
            let tokens = Fixtures.tokens
            let full = try model.prefill(tokens)
            let head = try model.prefill(Array(tokens[..<5]))
            let tail = try model.forward(Array(tokens[5...]))
            #expect(model.position == tokens.count)
            #expect(maxAbsDiff(head.values, Array(full.values[..<(5 * full.vocab)])) <= Self.tolerance)
            #expect(maxAbsDiff(tail.values, Array(full.values[(5 * full.vocab)...])) <= Self.tolerance)
            // A second prefill starts again at position 0 and reproduces the first one exactly.
            #expect(try model.prefill(tokens).values.map(\.bitPattern) == full.values.map(\.bitPattern))
        }
    }
}

extension ModelTests.KVCacheTests {
    /// Prefill multiplies stored matrices in panels of rows decoded on each worker (`panelProduct`); a provider that
    /// lends only whole f32 matrices gets one sgemm per matrix. Both are the same product.
    @Test("panels of decoded rows give the whole-matrix product", arguments: ["F32", "BF16", "Q8_0", "Q4_1"])
    func panelProducts(_ type: String) throws {
        let path = Fixtures.path("llama-gqa/gguf/llama-gqa-\(type).gguf")
        let source = try CanonicalGGUFSource(path: path)
        let config = try ModelConfig(metadata: source.metadata)
        let panels = try Transformer(config: config, weights: TensorSourceWeights(source: source), threads: 2)
        let whole = try Transformer(config: config, weights: WatchedWeights(TensorSourceWeights(source: CanonicalGGUFSource(path: path))),
                                    threads: 2)
        let a = try panels.prefill(Fixtures.tokens), b = try whole.prefill(Fixtures.tokens)
        #expect(maxAbsDiff(a.values[...], b.values[...]) <= Self.tolerance)
        #expect((0..<a.positions).allSatisfy { a.argmax($0) == b.argmax($0) })
    }

    /// GGUF files of the llama-gqa fixture: decoding steps multiply their stored blocks directly (ingot_matvec)
    /// while prefill dequantizes whole matrices for sgemm; both compute the same model.
    @Test("decoding steps on stored f16/bf16/q8_0/q4_0/q4_1 weights equal prefill",
          arguments: ["F16", "BF16", "Q8_0", "Q4_0", "Q4_1"])
    func quantizedSteps(_ type: String) throws {
        let source = try CanonicalGGUFSource(path: Fixtures.path("llama-gqa/gguf/llama-gqa-\(type).gguf"))
        let model = try Transformer(config: ModelConfig(metadata: source.metadata), weights: TensorSourceWeights(source: source))
        let tokens = Fixtures.tokens
        let full = try model.prefill(tokens)
        model.reset()
        for (i, t) in tokens.enumerated() {
            let row = try model.step(t)
            #expect(maxAbsDiff(row[...], full.row(i)) <= Self.tolerance, "\(type) position \(i)")
            #expect(argmax(row[...]) == full.argmax(i), "\(type) position \(i)")
        }
    }
}

extension ModelTests.KVCacheTests {
    @Test("prefill(logitsFrom:) gives the last positions' logits of a full prefill", arguments: ModelFixture.all)
    func lastOnly(_ m: ModelFixture) throws {
        let model = try m.load()
        let tokens = Fixtures.tokens
        let full = try model.prefill(tokens)
        let last = try model.prefill(tokens, logitsFrom: tokens.count - 1)
        #expect(last.positions == 1)
        #expect(model.position == tokens.count)
        #expect(maxAbsDiff(last.values[...], full.row(tokens.count - 1)) <= Self.tolerance)
        let tail = try model.prefill(tokens, logitsFrom: 5)
        #expect(tail.positions == tokens.count - 5)
        #expect(maxAbsDiff(tail.values[...], full.values[(5 * full.vocab)...]) <= Self.tolerance)
    }

    /// A prefill that wants logits only from some position computes its last layer for those rows only; the cache
    /// must still hold every position's keys and values, so the next step sees the whole prompt.
    @Test("a step after prefill(logitsFrom: last) equals a step after a full prefill", arguments: ModelFixture.all)
    func stepAfterLastOnly(_ m: ModelFixture) throws {
        let tokens = Fixtures.tokens, next = Fixtures.tokens[1]
        let a = try m.load(), b = try m.load()
        _ = try a.prefill(tokens)
        _ = try b.prefill(tokens, logitsFrom: tokens.count - 1)
        let sa = try a.step(next), sb = try b.step(next)
        #expect(maxAbsDiff(sa[...], sb[...]) <= Self.tolerance)
        #expect(argmax(sa[...]) == argmax(sb[...]))
    }

    /// Calibration sums every product's input over every position: with an observer the last layer keeps all rows.
    @Test("an input observer sees every row of every product, even when only the last logits are wanted")
    func observerSeesEveryRow() throws {
        let model = try ModelFixture(name: "llama-gqa").load()
        var rowsSeen: [String: Int] = [:]
        model.inputObserver = { name, _, rows, _ in rowsSeen[name, default: 0] += rows }
        let tokens = Fixtures.tokens
        _ = try model.prefill(tokens, logitsFrom: tokens.count - 1)
        let layerProducts = rowsSeen.filter { $0.key.contains(".layers.") }
        #expect(!layerProducts.isEmpty)
        #expect(layerProducts.values.allSatisfy { $0 == tokens.count }, "\(layerProducts)")
    }

    /// The q8 arithmetic rounds activations to 8 bits: close to the reference, not equal to it.
    @Test("q8 decoding activations stay close to the f32 ones", arguments: ["Q8_0", "Q4_0", "Q4_1"])
    func q8Steps(_ type: String) throws {
        let source = try CanonicalGGUFSource(path: Fixtures.path("llama-gqa/gguf/llama-gqa-\(type).gguf"))
        let model = try Transformer(config: ModelConfig(metadata: source.metadata), weights: TensorSourceWeights(source: source))
        let tokens = Fixtures.tokens
        var f32: [[Float]] = [], q8: [[Float]] = []
        for mode in [DecodeActivations.f32, .q8] {
            model.decodeActivations = mode
            model.reset()
            for t in tokens { (mode == .f32 ? { f32.append($0) } : { q8.append($0) })(try model.step(t)) }
        }
        var worst: Float = 0, scale: Float = 0
        for (a, b) in zip(f32, q8) {
            worst = max(worst, maxAbsDiff(a[...], b[...]))
            scale = max(scale, a.map { abs($0) }.max() ?? 0)
        }
        #expect(worst > 0, "q8 must differ from f32 somewhere")
        #expect(worst <= 0.05 * scale, "\(type): max |Δ| \(worst) against logits up to \(scale)")
    }
}

extension ModelTests.KVCacheTests {
    /// A one-layer llama large enough that every parallel part of a decoding step really splits: the ffn and head
    /// products (≥ 64 KiB of q4_1 blocks), the SiLU gate (4096 elements) and, past 128 positions, attention's heads.
    /// (The fixture models are too small: every product there runs on one thread whatever the count.)
    static func wideModel(threads: Int) throws -> Transformer {
        let c = try ModelConfig(family: "llama", layout: .llama, vocabSize: 512, hiddenSize: 256, numLayers: 1, numHeads: 4,
                                numKVHeads: 2, headDim: 64, ffnSize: 4096, maxPositions: 256, normEps: 1e-5,
                                activation: .silu, tiedEmbeddings: false, attentionBias: false)
        let source = MemorySource()
        var seed: UInt64 = 1
        func matrix(_ name: String, _ rows: Int, _ cols: Int) throws {
            let (layout, bytes) = try MatVecTests.matrix(.q4_1, 32, rows: rows, cols: cols, seed: seed)
            seed += 1
            source.add(name, try TensorLayout(name: name, dtype: .q4_1, shape: layout.shape, groupSize: 32), bytes: bytes)
        }
        func ones(_ name: String, _ n: Int) throws {
            let bytes = [Float](repeating: 1, count: n).withUnsafeBytes { Array($0) }
            source.add(name, try TensorLayout(name: name, dtype: .f32, shape: [n], groupSize: nil), bytes: bytes)
        }
        let n = LlamaNames.layer(0)
        try matrix(LlamaNames.embedding, 512, 256)
        try matrix(n.q, 256, 256)
        try matrix(n.k, 128, 256)
        try matrix(n.v, 128, 256)
        try matrix(n.o, 256, 256)
        try matrix(n.gate, 4096, 256)
        try matrix(n.up, 4096, 256)
        try matrix(n.down, 256, 4096)
        try matrix(LlamaNames.head, 512, 256)
        try ones(n.inputNorm, 256)
        try ones(n.postNorm, 256)
        try ones(LlamaNames.finalNorm, 256)
        return try Transformer(config: c, weights: TensorSourceWeights(source: source), threads: threads)
    }

    @Test("decoding steps give the same bits for any thread count (matvec rows, attention heads, SiLU chunks)",
          arguments: [DecodeActivations.f32, .q8])
    func stepsIndependentOfThreads(_ activations: DecodeActivations) throws {
        var runs: [[UInt32]] = []
        for threads in [1, 2, 3] {
            let model = try Self.wideModel(threads: threads)
            model.decodeActivations = activations
            var bits: [UInt32] = []
            for t in 0..<140 { bits += try model.step((t * 37) % 512).map(\.bitPattern) }
            runs.append(bits)
        }
        #expect(runs[1] == runs[0])
        #expect(runs[2] == runs[0])
    }

    @Test("one-query attention over a long cache gives the same bits on 1, 2 and 3 threads, and matches the sgemm path")
    func attentionThreads() {
        let heads = 8, kv = 2, hd = 64, n = 600, ld = kv * hd
        var rng = SplitMix(5)
        let q = (0..<(heads * hd)).map { _ in Float(rng.uniform() - 0.5) }
        let keys = (0..<(n * ld)).map { _ in Float(rng.uniform() - 0.5) }
        let values = (0..<(n * ld)).map { _ in Float(rng.uniform() - 0.5) }
        let a = Attention(heads: heads, kvHeads: kv, headDim: hd, causal: true)
        func run(_ threads: Int, tokens: Int = 1) -> [Float] {
            var out = [Float](repeating: 0, count: heads * hd)
            var scores = [Float](repeating: 0, count: heads * n)
            // tokens = 2 with the query duplicated runs the two-product (sgemm) path; its second row is the same query
            // at the last position.
            let qs = tokens == 1 ? q : q + q
            var out2 = [Float](repeating: 0, count: tokens * heads * hd)
            var scores2 = [Float](repeating: 0, count: tokens * n)
            if tokens == 1 {
                a.run(q: qs, ldq: heads * hd, keys: keys, values: values, ldkv: ld, out: &out, ldo: heads * hd, tokens: 1,
                      start: n - 1, scores: &scores, threads: threads)
                return out
            }
            a.run(q: qs, ldq: heads * hd, keys: keys, values: values, ldkv: ld, out: &out2, ldo: heads * hd, tokens: 2,
                  start: n - 2, scores: &scores2)
            return Array(out2[(heads * hd)...])
        }
        let one = run(1)
        #expect(run(2).map(\.bitPattern) == one.map(\.bitPattern))
        #expect(run(3).map(\.bitPattern) == one.map(\.bitPattern))
        #expect(maxAbsDiff(one[...], run(1, tokens: 2)[...]) <= 1e-5)
    }

    @Test("a matrix larger than the f32 budget is multiplied in blocks of rows with the same result", arguments: ModelFixture.all)
    func chunkedProducts(_ m: ModelFixture) throws {
        // A provider that lends no stored bytes takes the whole-matrix path, where the f32 budget applies.
        let model = try Transformer(config: m.config(), weights: WatchedWeights(TensorSourceWeights(source: m.source())))
        let full = try m.load().prefill(Fixtures.tokens)
        model.chunkElements = 1000  // every fixture matrix (≥ 64×64) now goes in blocks of ≤ 15 rows
        let chunked = try model.prefill(Fixtures.tokens)
        #expect(maxAbsDiff(chunked.values[...], full.values[...]) <= Self.tolerance)
    }

    @Test("the C SiLU gate gives the bits of the Swift activation followed by the product")
    func siluGate() {
        let n = 5000
        let gate = (0..<n).map { Float($0 - n / 2) * 0.013 }, up = (0..<n).map { Float($0 % 97) * 0.1 - 4 }
        var c = gate, swift = gate
        c.withUnsafeMutableBufferPointer { g in up.withUnsafeBufferPointer { Activation.silu.applyGated(g, up: $0, threads: 2) } }
        swift.withUnsafeMutableBufferPointer { Activation.silu.apply($0) }
        for i in 0..<n { swift[i] *= up[i] }
        #expect(c.map(\.bitPattern) == swift.map(\.bitPattern))
    }
}

extension ModelTests.KVCacheTests {
    @Test("rowRange decodes the same floats as rows, for float and block tensors", arguments: ["F32", "Q4_1", "Q8_0", "BF16"])
    func rowRangeMatchesRows(_ type: String) throws {
        let source = try CanonicalGGUFSource(path: Fixtures.path("llama-gqa/gguf/llama-gqa-\(type).gguf"))
        let w = TensorSourceWeights(source: source)
        let name = "model.layers.0.mlp.up_proj.weight"
        #expect(try w.rowRange(name, 3..<17) == (try w.rows(name, Array(3..<17))))
    }
}
