import Foundation
import IngotFamilies
import IngotFormat
import IngotInterop
import Testing

@testable import IngotModel

extension ModelTests {
    /// Configs whose numbers the weights contradict: a fixture's tensors with one hyperparameter blown up. Each must
    /// fail at load naming what disagrees, before any buffer is sized from the bad number (the attack campaign's
    /// 10^9 layers aborted the process allocating 184 GB of layer slots).
    @Suite struct HostileConfigTests {
        /// llama-gqa (2 layers) or gpt2 with `edit` applied to its canonical config.
        func load(_ fixture: String = "llama-gqa", _ edit: (inout JSONObject) -> Void) throws -> Transformer {
            let m = ModelFixture(name: fixture)
            var c = try m.config().json
            edit(&c)
            let config = try ModelConfig(family: m.config().family, config: c)
            return try Transformer(config: config, weights: TensorSourceWeights(source: m.source()))
        }

        func modelError(_ fixture: String = "llama-gqa", _ edit: (inout JSONObject) -> Void) -> ModelError? {
            thrown(ModelError.self) { try load(fixture, edit) }
        }

        @Test("num_layers 10^9 is refused by the weights' layers, in two lookups")
        func billionLayers() {
            #expect(modelError { $0["num_layers"] = .int(1_000_000_000) } == .layerCountMismatch(
                numLayers: 1_000_000_000, tensor: "model.layers.999999999.self_attn.q_proj.weight", present: false))
            #expect(modelError("gpt2") { $0["num_layers"] = .double(1e9) } == .layerCountMismatch(
                numLayers: 1_000_000_000, tensor: "transformer.h.999999999.attn.c_attn.weight", present: false))
            #expect(ModelError.layerCountMismatch(numLayers: 7, tensor: "t", present: false).description
                == "num_layers is 7, but the weights have no 't'")
        }

        @Test("gpt2's config.json with n_layer 1e9 builds a config that the weights refuse")
        func gpt2ConfigJSON() throws {
            var hf = try ModelFixture(name: "gpt2").hfConfig()
            hf["n_layer"] = .double(1e9)
            let config = try #require(try ModelFamilies.config(fromHF: hf))
            #expect(config.numLayers == 1_000_000_000)
            let e = thrown(ModelError.self) {
                try Transformer(config: config, weights: TensorSourceWeights(source: ModelFixture(name: "gpt2").source()))
            }
            #expect(e == .layerCountMismatch(numLayers: 1_000_000_000, tensor: "transformer.h.999999999.attn.c_attn.weight", present: false))
        }

        @Test("a GGUF with llama.block_count = 10^9 imports, and the forward pass refuses it")
        func ggufBlockCount() throws {
            let src = try GGUFFile(path: Fixtures.path("llama-gqa/gguf/llama-gqa-F32.gguf"))
            let kvs = src.keyValues.map { $0.key == "llama.block_count" ? GGUFKeyValue($0.key, .uint32(1_000_000_000)) : $0 }
            let p = NSTemporaryDirectory() + "ingot-layers-" + UUID().uuidString + ".gguf"
            defer { try? FileManager.default.removeItem(atPath: p) }
            try GGUFWriter(path: p, keyValues: kvs, tensors: src.descriptors).write(src)
            let g = try CanonicalGGUFSource(path: p)
            let config = try ModelConfig(metadata: g.metadata)
            #expect(thrown(ModelError.self) { try Transformer(config: config, weights: TensorSourceWeights(source: g)) }
                == .layerCountMismatch(numLayers: 1_000_000_000, tensor: "model.layers.999999999.self_attn.q_proj.weight", present: false))
        }

        @Test("fewer layers than the weights hold is refused too: the forward pass would skip real layers")
        func tooFewLayers() {
            #expect(modelError { $0["num_layers"] = .int(1) } == .layerCountMismatch(
                numLayers: 1, tensor: "model.layers.1.self_attn.q_proj.weight", present: true))
        }

        @Test("vocabulary, positions and widths far beyond the tensors fail on the tensor's shape")
        func sizesBeyondTheTensors() throws {
            let e = modelError { $0["vocab_size"] = .int(1_000_000_000) }
            guard case .shapeMismatch(tensor: "model.embed_tokens.weight", _, _)? = e else { Issue.record("\(String(describing: e))"); return }
            let w = modelError("gpt2") { $0["max_positions"] = .int(2_000_000_000) }
            guard case .shapeMismatch(tensor: "transformer.wpe.weight", _, _)? = w else { Issue.record("\(String(describing: w))"); return }
            let f = modelError { $0["ffn_size"] = .int(1_000_000_000) }
            guard case .shapeMismatch(tensor: "model.layers.0.mlp.gate_proj.weight", _, _)? = f else { Issue.record("\(String(describing: f))"); return }
            // Beyond 32 bits, the config itself is refused.
            let m = ModelFixture(name: "llama-gqa")
            var c = try m.config().json
            c["max_positions"] = .int(1_000_000_000_000)
            #expect(thrown(ModelConfigError.self) { try ModelConfig(family: "llama", config: c) }
                == .invalidValue(key: "max_positions", reason: "1000000000000 is too large"))
        }

        @Test("llama's max_positions sizes nothing: a 2·10^9-position config runs a short prompt")
        func largeMaxPositionsIsNotAnAllocation() throws {
            let t = try load { $0["max_positions"] = .int(2_000_000_000) }
            #expect(try t.prefill([1, 2, 3]).values.count == 3 * t.config.vocabSize)
        }
    }
}
