import IngotFamilies
import IngotFormat
import IngotInterop
import Testing

@testable import IngotModel

extension ModelTests {
    /// `ModelConfig` reads `ingot.config`, takes rope from wherever transformers put it, and names what is wrong.
    @Suite struct ConfigTests {
        /// The canonical config of llama-gqa's config.json (transformers 5 spelling).
        static func canonical(_ name: String = "llama-gqa") throws -> (String, JSONObject, JSONObject) {
            let hf = try ModelFixture(name: name).hfConfig()
            guard let c = try ModelFamilies.config(fromHF: hf) else { throw FixtureError("no family") }
            return (c.family, c.json, hf)
        }

        @Test("the transformers-5 and transformers-4 spellings give the same config")
        func ropeSpellings() throws {
            let v5 = try ModelFixture(name: "llama-gqa").config()
            let v4hf = try Fixtures.json("llama-gqa/config.v4-style.json")
            guard let v4 = try ModelFamilies.config(fromHF: v4hf) else { throw FixtureError("no family") }
            #expect(try ModelConfig(family: v4.family, config: v4.json) == v4)
            #expect(v4 == v5)
            #expect(v5.ropeTheta == 10000)
            #expect(v5.ropeScaling == .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 32))
            // qwen2's theta (1e6) exists only inside rope_parameters.
            #expect(try ModelFixture(name: "qwen2").config().ropeTheta == 1_000_000)
            #expect(try ModelFixture(name: "llama-tied").config().ropeScaling == nil)
        }

        @Test("rope_parameters inside ingot.config wins over rope_theta / rope_scaling")
        func ropeParametersInCanonical() throws {
            var (arch, c, _) = try Self.canonical("qwen2")
            c["rope_theta"] = .double(10000)
            c["rope_parameters"] = .object(JSONObject([("rope_theta", .double(500000)), ("rope_type", .string("default"))]))
            #expect(try ModelConfig(family: arch, config: c).ropeTheta == 500000)
        }

        @Test("from Ingot metadata: ingot.architecture, ingot.config, ingot.hf_config")
        func fromMetadata() throws {
            let (arch, c, hf) = try Self.canonical("qwen2")
            let metadata = JSONObject([("ingot.architecture", .string(arch)), ("ingot.config", .object(c)),
                                       ("ingot.hf_config", .object(hf))])
            #expect(try ModelConfig(metadata: metadata) == ModelFixture(name: "qwen2").config())
            #expect(thrown(ModelConfigError.self) { try ModelConfig(metadata: JSONObject([("ingot.config", .object(c))])) }
                == .unsupportedArchitecture(nil))
            #expect(thrown(ModelConfigError.self) { try ModelConfig(metadata: JSONObject([("ingot.architecture", .string("llama"))])) }
                == .missingConfig)
        }

        /// One broken config per rule, with the error that must name it.
        struct BadConfig: Sendable, CustomTestStringConvertible {
            let testDescription: String
            let model: String
            let edit: @Sendable (inout JSONObject) -> Void
            let error: ModelConfigError
        }

        static let badConfigs: [BadConfig] = [
            BadConfig(testDescription: "missing key", model: "llama-gqa", edit: { $0["num_layers"] = nil }, error: .missingKey("num_layers")),
            BadConfig(testDescription: "null key", model: "llama-gqa", edit: { $0["vocab_size"] = .null }, error: .missingKey("vocab_size")),
            BadConfig(testDescription: "wrong type", model: "llama-gqa", edit: { $0["hidden_size"] = .string("64") },
                      error: .wrongType(key: "hidden_size", expected: "an integer", found: "string")),
            BadConfig(testDescription: "fractional integer", model: "llama-gqa", edit: { $0["ffn_size"] = .double(127.5) },
                      error: .wrongType(key: "ffn_size", expected: "an integer", found: "127.5")),
            BadConfig(testDescription: "zero dimension", model: "gpt2", edit: { $0["num_heads"] = .int(0) },
                      error: .invalidValue(key: "num_heads", reason: "must be positive, found 0")),
            BadConfig(testDescription: "kv heads do not divide heads", model: "llama-gqa", edit: { $0["num_kv_heads"] = .int(3) },
                      error: .invalidValue(key: "num_kv_heads", reason: "3 does not divide num_heads 4")),
            BadConfig(testDescription: "odd head_dim with rope", model: "llama-tied", edit: { $0["head_dim"] = .int(15) },
                      error: .invalidValue(key: "head_dim", reason: "must be even for rotary embeddings, found 15")),
            BadConfig(testDescription: "gpt2 heads × head_dim ≠ hidden", model: "gpt2", edit: { $0["head_dim"] = .int(8) },
                      error: .invalidValue(key: "head_dim", reason: "num_heads × head_dim (4 × 8) must equal hidden_size 64 for gpt2")),
            BadConfig(testDescription: "negative eps", model: "gpt2", edit: { $0["norm_eps"] = .double(-1) },
                      error: .invalidValue(key: "norm_eps", reason: "must be finite and ≥ 0, found -1.0")),
            BadConfig(testDescription: "unknown activation", model: "llama-gqa", edit: { $0["activation"] = .string("relu") },
                      error: .unsupported(key: "activation", value: "\"relu\"")),
            BadConfig(testDescription: "norm that the layout does not have", model: "gpt2", edit: { $0["norm"] = .string("rmsnorm") },
                      error: .unsupported(key: "norm", value: "\"rmsnorm\" for gpt2")),
            BadConfig(testDescription: "unsupported rope type", model: "llama-tied",
                      edit: { $0["rope_scaling"] = .object(JSONObject([("rope_type", .string("yarn")), ("factor", .double(4))])) },
                      error: .unsupported(key: "rope_scaling.rope_type", value: "\"yarn\"")),
            BadConfig(testDescription: "llama3 scaling without factor", model: "llama-tied",
                      edit: {
                          $0["rope_scaling"] = .object(JSONObject([
                              ("rope_type", .string("llama3")), ("low_freq_factor", .double(1)), ("high_freq_factor", .double(4)),
                              ("original_max_position_embeddings", .int(32)),
                          ]))
                      },
                      error: .missingKey("rope_scaling.factor")),
            BadConfig(testDescription: "rope_parameters not an object", model: "llama-gqa", edit: { $0["rope_parameters"] = .int(1) },
                      error: .wrongType(key: "rope_parameters", expected: "an object", found: "int")),
        ]

        @Test("bad configs give an error naming the key", arguments: badConfigs)
        func badConfig(_ bad: BadConfig) throws {
            var (arch, c, _) = try Self.canonical(bad.model)
            bad.edit(&c)
            let e = thrown(ModelConfigError.self) { try ModelConfig(family: arch, config: c) }
            #expect(e == bad.error)
            print("config error (\(bad.testDescription)): \(e.map(String.init(describing:)) ?? "none")")
        }

        @Test("bad rope_parameters in ingot.hf_config are reported with their path")
        func badHFRope() throws {
            var (arch, c, hf) = try Self.canonical("llama-gqa")
            c["rope_theta"] = nil
            hf["rope_parameters"] = .object(JSONObject([("rope_type", .string("llama3")), ("factor", .double(8))]))
            #expect(thrown(ModelConfigError.self) { try ModelConfig(family: arch, config: c, hfConfig: hf) }
                == .missingKey("ingot.hf_config.rope_parameters.rope_theta"))
        }

        @Test("architectures without a forward pass are refused")
        func unknownArchitecture() throws {
            let (_, c, _) = try Self.canonical()
            #expect(thrown(ModelConfigError.self) { try ModelConfig(family: "mamba", config: c) }
                == .unsupportedArchitecture("mamba"))
        }
    }
}
