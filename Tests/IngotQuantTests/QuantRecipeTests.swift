import IngotFormat
import Testing

@testable import IngotQuant

/// llama.cpp's mixes, rule by rule (specs/quant.md §10). The whole-model check against llama-quantize's own output
/// for SmolLM2 is `RecipeFixtureTests`.
@Suite struct QuantRecipeTests {
    /// A 32-layer llama with GQA 4 and an untied head, rows of 4096 (whole super-blocks).
    static let names: [String] = (0..<32).flatMap { i in
        ["q_proj", "k_proj", "v_proj", "o_proj"].map { "model.layers.\(i).self_attn.\($0).weight" }
            + ["gate_proj", "up_proj", "down_proj"].map { "model.layers.\(i).mlp.\($0).weight" }
    } + ["model.embed_tokens.weight", "lm_head.weight"]
    static let model = QuantRecipe.Model(names: names, gqa: 4)

    func type(_ r: QuantRecipe, _ name: String, row: Int = 4096) -> DType { r.type(for: name, rowLength: row, model: Self.model).0 }

    @Test func modelFactsAreCountedFromNames() {
        #expect(Self.model == QuantRecipe.Model(attentionV: 32, ffnDown: 32, gqa: 4, hasOutput: true))
    }

    @Test func useMoreBitsIsLlamaCppsLayerPattern() {
        // n = 32: the first 4, the last 4, and every third from layer 4 + 2.
        let chosen = (0..<32).filter { QuantRecipe.useMoreBits($0, 32) }
        #expect(chosen == [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31])
    }

    @Test func q4KMGivesMoreBitsToVAndDownInChosenLayers() {
        #expect(type(.q4_k_m, "model.layers.0.self_attn.v_proj.weight") == .q6_k)
        #expect(type(.q4_k_m, "model.layers.4.self_attn.v_proj.weight") == .q4_k)
        #expect(type(.q4_k_m, "model.layers.6.mlp.down_proj.weight") == .q6_k)
        #expect(type(.q4_k_m, "model.layers.5.mlp.down_proj.weight") == .q4_k)
        #expect(type(.q4_k_m, "model.layers.5.self_attn.q_proj.weight") == .q4_k)
        #expect(type(.q4_k_m, "lm_head.weight") == .q6_k)
        // An untied model's embedding is not the head: the base type.
        #expect(type(.q4_k_m, "model.embed_tokens.weight") == .q4_k)
    }

    @Test func tiedEmbeddingsAreTreatedAsTheHead() {
        let tied = QuantRecipe.Model(names: Self.names.filter { $0 != "lm_head.weight" }, gqa: 4)
        #expect(QuantRecipe.q4_k_m.type(for: "model.embed_tokens.weight", rowLength: 4096, model: tied).0 == .q6_k)
        #expect(QuantRecipe.q4_k_m.type(for: "token_embd.weight", rowLength: 576, model: tied).0 == .q8_0)
    }

    @Test func lowBitMixes() {
        #expect(type(.q2_k, "model.layers.9.self_attn.v_proj.weight") == .q4_k)  // gqa ≥ 4
        #expect(QuantRecipe.q2_k.type(for: "blk.9.attn_v.weight", rowLength: 4096,
                                      model: QuantRecipe.Model(attentionV: 32, ffnDown: 32, gqa: 1, hasOutput: true)).0 == .q3_k)
        #expect(type(.q2_k, "model.layers.9.mlp.down_proj.weight") == .q3_k)
        #expect(type(.q2_k, "model.layers.9.self_attn.o_proj.weight") == .q3_k)
        #expect(type(.q2_k, "model.layers.9.mlp.up_proj.weight") == .q2_k)
        #expect(type(.q3_k_m, "model.layers.1.self_attn.v_proj.weight") == .q5_k)
        #expect(type(.q3_k_m, "model.layers.2.self_attn.v_proj.weight") == .q4_k)
        #expect(type(.q3_k_m, "model.layers.1.mlp.down_proj.weight") == .q5_k)  // < 32 / 16
        #expect(type(.q3_k_m, "model.layers.2.mlp.down_proj.weight") == .q4_k)
        #expect(type(.q3_k_l, "model.layers.20.self_attn.o_proj.weight") == .q5_k)
        #expect(type(.q3_k_s, "model.layers.20.self_attn.o_proj.weight") == .q3_k)
    }

    @Test func q4KSAndQ5KM() {
        #expect(type(.q4_k_s, "model.layers.3.self_attn.v_proj.weight") == .q5_k)
        #expect(type(.q4_k_s, "model.layers.4.self_attn.v_proj.weight") == .q4_k)
        #expect(type(.q4_k_s, "model.layers.3.mlp.down_proj.weight") == .q5_k)  // < 32 / 8
        #expect(type(.q4_k_s, "model.layers.4.mlp.down_proj.weight") == .q4_k)
        #expect(type(.q5_k_m, "model.layers.31.mlp.down_proj.weight") == .q6_k)
        #expect(type(.q5_k_s, "model.layers.31.mlp.down_proj.weight") == .q5_k)
        #expect(type(.q6_k, "model.layers.31.mlp.down_proj.weight") == .q6_k)
    }

    @Test func rowsThatAreNotWholeSuperBlocksFallBackAsLlamaCppDoes() {
        #expect(type(.q4_k_m, "model.layers.5.self_attn.q_proj.weight", row: 576) == .q5_0)
        #expect(type(.q4_k_m, "model.layers.0.self_attn.v_proj.weight", row: 576) == .q8_0)
        #expect(type(.q5_k_s, "model.layers.5.self_attn.q_proj.weight", row: 576) == .q5_1)
        #expect(type(.q3_k_s, "model.layers.5.self_attn.q_proj.weight", row: 576) == .q4_0)
        #expect(type(.q2_k, "model.layers.5.mlp.up_proj.weight", row: 576) == .q4_0)
        let (_, why) = QuantRecipe.q4_k_m.type(for: "model.layers.0.self_attn.v_proj.weight", rowLength: 576, model: Self.model)
        #expect(why == "attn_v, layer 0 of 32; row 576 ∤ 256: q8_0 for q6_k")
    }

    @Test func policyKeepsNormsAndOneDimensionalTensors() throws {
        let p = try QuantPolicy(recipe: .q4_k_m).prepared(names: Self.names, gqa: 4)
        func d(_ name: String, _ shape: [Int]) throws -> TensorDescriptor {
            TensorDescriptor(name: name, layout: try TensorLayout(name: name, dtype: .f32, shape: shape, groupSize: nil))
        }
        #expect(p.decide(try d("model.layers.0.input_layernorm.weight", [4096])) == .keep(reason: "1-D", cast: nil))
        #expect(p.decide(try d("model.layers.0.self_attn.v_proj.weight", [1024, 4096]))
                == .quantize(.q6_k, groupSize: 256, note: "attn_v, layer 0 of 32"))
        #expect(p.decide(try d("lm_head.weight", [32000, 4096])) == .quantize(.q6_k, groupSize: 256, note: "output head"))
        // A row that even the fallback's 32-element blocks do not divide stays float.
        #expect(p.decide(try d("model.layers.1.self_attn.q_proj.weight", [8, 40])) == .keep(reason: "row 40 ∤ 32 for q5_0", cast: nil))
    }
}

extension QuantRecipeTests {
    /// llama-quantize applies the fallback after `--tensor-type` overrides too: `--type-for …=q4_k` on rows of 576
    /// gives q5_0, like a mix would.
    @Test func overridesToKQuantsFallBackLikeLlamaCpp() throws {
        let p = try QuantPolicy(dtype: .q8_0, groupSize: 32, overrides: [try TypeOverride(pattern: "q_proj", dtype: .q4_k)])
        let d = TensorDescriptor(name: "model.layers.0.self_attn.q_proj.weight",
                                 layout: try TensorLayout(name: "w", dtype: .f32, shape: [576, 576], groupSize: nil))
        #expect(p.decide(d) == .quantize(.q5_0, groupSize: 32, note: "row 576 ∤ 256: q5_0 for q4_k"))
        let wide = TensorDescriptor(name: "model.layers.0.self_attn.q_proj.weight",
                                    layout: try TensorLayout(name: "w", dtype: .f32, shape: [512, 512], groupSize: nil))
        #expect(p.decide(wide) == .quantize(.q4_k, groupSize: 256, note: nil))
    }
}
