import IngotFamilies
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
    @Test("prefill(lastOnly:) gives the last position's logits of a full prefill", arguments: ModelFixture.all)
    func lastOnly(_ m: ModelFixture) throws {
        let model = try m.load()
        let tokens = Fixtures.tokens
        let full = try model.prefill(tokens)
        let last = try model.prefill(tokens, lastOnly: true)
        #expect(last.positions == 1)
        #expect(model.position == tokens.count)
        #expect(maxAbsDiff(last.values[...], full.row(tokens.count - 1)) <= Self.tolerance)
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
