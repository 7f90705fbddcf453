import IngotFormat
import Testing

@testable import IngotModel

extension ModelTests {
    /// Weights that do not fit the config, and inputs outside the model, are named in the error.
    @Suite struct WeightTests {
        @Test("a missing tensor gives an error naming it", arguments: [
            ("llama-gqa", "model.layers.1.mlp.up_proj.weight"), ("llama-gqa", "lm_head.weight"),
            ("qwen2", "model.layers.0.self_attn.k_proj.bias"), ("gpt2", "transformer.h.1.ln_2.bias"),
            ("gpt2", "transformer.wpe.weight"),
        ])
        func missingTensor(_ model: String, _ name: String) throws {
            let m = ModelFixture(name: model)
            let weights = AlteredWeights(TensorSourceWeights(source: try m.source()), hiding: [name])
            let e = thrown(ModelError.self) { try Transformer(config: m.config(), weights: weights) }
            #expect(e == .missingTensor(name))
            #expect(e.map(String.init(describing:))?.contains(name) == true)
        }

        @Test("a forward pass holds one weight matrix in f32 at a time", arguments: ModelFixture.all)
        func oneMatrixAtATime(_ m: ModelFixture) throws {
            let weights = WatchedWeights(TensorSourceWeights(source: try m.source()))
            let model = try Transformer(config: m.config(), weights: weights)
            let vectorsRead = weights.wholeReads
            #expect(weights.wholeReads.allSatisfy { weights.shape($0)?.count == 1 }, "only vectors are read whole at load time")
            _ = try model.prefill(Fixtures.tokens)
            _ = try model.step(5)
            #expect(weights.maxDepth == 1)
            #expect(weights.lent > 0)
            #expect(weights.wholeReads == vectorsRead, "no matrix() calls during the forward pass")
        }

        @Test("a tensor of the wrong shape gives an error naming it")
        func wrongShape() throws {
            let m = ModelFixture(name: "llama-gqa")
            let name = "model.layers.0.self_attn.k_proj.weight"
            let weights = AlteredWeights(TensorSourceWeights(source: try m.source()), shapes: [name: [64, 64]])
            #expect(thrown(ModelError.self) { try Transformer(config: m.config(), weights: weights) }
                == .shapeMismatch(tensor: name, expected: [32, 64], found: [64, 64]))
        }

        @Test("a tensor missing from the source is named by the provider")
        func providerMissing() throws {
            let weights = TensorSourceWeights(source: try ModelFixture(name: "gpt2").source())
            #expect(thrown(ModelError.self) { try weights.matrix("lm_head.weight") } == .missingTensor("lm_head.weight"))
            #expect(thrown(ModelError.self) { try weights.rows("transformer.wte.weight", [320]) }
                == .rowOutOfRange(tensor: "transformer.wte.weight", row: 320, rows: 320))
        }

        @Test("tokens outside the vocabulary, empty input and a full context are refused")
        func badInputs() throws {
            let model = try ModelFixture(name: "gpt2").load()
            #expect(thrown(ModelError.self) { try model.prefill([1, 320]) } == .tokenOutOfRange(token: 320, vocab: 320))
            #expect(thrown(ModelError.self) { try model.prefill([-1]) } == .tokenOutOfRange(token: -1, vocab: 320))
            #expect(thrown(ModelError.self) { try model.prefill([]) } == .emptyInput)
            _ = try model.prefill(Array(repeating: 5, count: 127))
            _ = try model.step(6)  // position 127, the last of n_positions = 128
            #expect(thrown(ModelError.self) { try model.step(7) } == .contextFull(position: 128, maxPositions: 128))
            #expect(model.position == 128)
        }

        /// Block-quantized tensors decode through BlockCodec, the one decoder: whole tensors and single rows of a
        /// q8_0 table.
        @Test("block-quantized tensors decode through BlockCodec")
        func blockTensorsDecode() throws {
            // q8_0 with group 4: per block an f16 scale then 4 int8. Two rows of two blocks.
            let layout = try TensorLayout(name: "w", dtype: .q8_0, shape: [2, 8], groupSize: 4)
            let scales: [Float] = [0.5, 2, -1, 0.25]
            let quants: [[Int8]] = [[1, 2, 3, 4], [-1, 0, 1, 2], [5, 6, 7, 8], [-8, -4, 4, 8]]
            var bytes: [UInt8] = []
            for (s, q) in zip(scales, quants) {
                var half: [UInt8] = [0, 0]
                try [s].withUnsafeBufferPointer { src in
                    try half.withUnsafeMutableBytes { try FloatConversion.fromFloat(src, to: .f16, into: $0) }
                }
                bytes += half + q.map { UInt8(bitPattern: $0) }
            }
            let expected = zip(scales, quants).flatMap { s, q in q.map { s * Float($0) } }
            let source = MemorySource()
            source.add("w", layout, bytes: bytes)
            source.add("ids", try TensorLayout(name: "ids", dtype: .i32, shape: [2], groupSize: nil), bytes: [UInt8](repeating: 0, count: 8))

            let weights = TensorSourceWeights(source: source)
            #expect(try weights.matrix("w") == expected)
            #expect(try weights.withMatrix("w") { Array($0) } == expected)
            #expect(try weights.rows("w", [1, 0, 1]) == Array(expected[8...] + expected[..<8] + expected[8...]))
            #expect(thrown(ModelError.self) { try weights.matrix("ids") } == .unsupportedDType(tensor: "ids", dtype: "i32"))
        }
    }
}
