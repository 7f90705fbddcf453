import IngotFamilies
import IngotFormat
import IngotInterop
import Testing

@testable import IngotModel

extension ModelTests {
    /// The forward pass reproduces transformers' own logits for each family.
    @Suite struct ReferenceLogitsTests {
        @Test("logits match transformers (NMSE < 1e-6, same argmax at every position)", arguments: ModelFixture.all)
        func matchesTransformers(_ m: ModelFixture) throws {
            let model = try m.load()
            let logits = try model.prefill(Fixtures.tokens)
            let ref = try m.reference()
            #expect(logits.positions == Fixtures.tokens.count)
            #expect(logits.values.count == ref.count)
            let e = nmse(logits.values, ref)
            print("reference logits \(m.name): NMSE \(e), max |Δ| \(maxAbsDiff(logits.values, ref))")
            #expect(e < 1e-6, "\(m.name): NMSE \(e)")
            for i in 0..<logits.positions {
                #expect(logits.argmax(i) == argmax(ref[(i * logits.vocab)..<((i + 1) * logits.vocab)]), "\(m.name) position \(i)")
            }
        }

        /// The f16/bf16 conversion path: weights rounded to the narrow type and run in f32, as transformers did
        /// for `logits-f16.npy` / `logits-bf16.npy`.
        @Test("narrow float weights match transformers' rounded-weight logits", arguments: [DType.f16, .bf16])
        func narrowWeights(_ dtype: DType) throws {
            for m in [ModelFixture(name: "llama-gqa"), ModelFixture(name: "llama-tied")] {
                let model = try m.load(source: CastSource(m.source(), to: dtype))
                let logits = try model.prefill(Fixtures.tokens)
                let ref = try m.reference("logits-\(dtype.rawValue).npy")
                let e = nmse(logits.values, ref)
                print("reference logits \(m.name) \(dtype): NMSE \(e), max |Δ| \(maxAbsDiff(logits.values, ref))")
                #expect(e < 1e-6, "\(m.name) \(dtype): NMSE \(e)")
            }
        }

        /// transformers' inverse frequencies (expected.json), llama-3 scaling included.
        @Test("rotary inverse frequencies match transformers",
              arguments: ["llama-gqa", "llama-tied", "qwen2", "llama-k256"])
        func rotaryFrequencies(_ name: String) throws {
            let hf = try Fixtures.json(name + (name == "llama-k256" ? "/config.json" : "/safetensors/config.json"))
            guard let c = try ModelFamilies.config(fromHF: hf) else { throw FixtureError("no family") }
            let rope = RotaryEmbedding(headDim: c.headDim, theta: c.ropeTheta, scaling: c.ropeScaling)
            let expected = (Fixtures.expected["models"]?.objectValue?[name]?.objectValue?["rope_inv_freq"]?.arrayValue ?? [])
                .compactMap { $0.doubleValue.map(Float.init) }
            #expect(expected.count == c.headDim / 2)
            #expect(rope.invFreq.count == expected.count)
            // The f32 formula is transformers' own, step by step; only torch's vectorized pow may round differently
            // from libm's powf (2 of llama-k256's 32 values are 1 ulp apart, the other fixtures are bit-exact).
            for (a, b) in zip(rope.invFreq, expected) {
                #expect(abs(a - b) <= b.ulp, "\(name): \(a) vs \(b)")
            }
        }
    }
}
