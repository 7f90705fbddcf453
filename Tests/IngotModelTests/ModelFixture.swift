import IngotFamilies
import IngotFormat
import IngotInterop
import Testing

@testable import IngotModel

/// One fixture model: its directory under fixtures/models and where its safetensors files are.
struct ModelFixture: Sendable, CustomTestStringConvertible {
    let name: String

    static let all = [ModelFixture(name: "llama-gqa"), ModelFixture(name: "llama-tied"), ModelFixture(name: "qwen2"),
                      ModelFixture(name: "gpt2")]

    var testDescription: String { name }
    var safetensorsDir: String { Fixtures.path(name + "/safetensors") }

    /// config.json as written by transformers 5 (`rope_parameters`).
    func hfConfig() throws -> JSONObject { try Fixtures.json(name + "/safetensors/config.json") }

    /// The config the CLI would build: the family's typed config of config.json, written and read back, plus the source config.json as `ingot.hf_config`.
    func config() throws -> ModelConfig {
        let hf = try hfConfig()
        guard let c = try ModelFamilies.config(fromHF: hf) else { throw FixtureError("\(name): unknown model_type") }
        return try ModelConfig(family: c.family, config: c.json, hfConfig: hf)
    }

    func source() throws -> SafetensorsFile { try SafetensorsFile(path: safetensorsDir + "/model.safetensors") }

    func load(threads: Int = 1, source: (any TensorSource)? = nil) throws -> Transformer {
        let s = try source ?? self.source()
        return try Transformer(config: config(), weights: TensorSourceWeights(source: s), threads: threads)
    }

    /// transformers' logits [12, 320] for `Fixtures.tokens` (`logits.npy`, or `logits-bf16.npy` etc.).
    func reference(_ file: String = "logits.npy") throws -> [Float] {
        let npy = try NpyFile(path: Fixtures.path(name + "/" + file))
        let buffer = try npy.load(npy.name)
        return try buffer.withBytes { try FloatConversion.toFloats($0, dtype: npy.array.dtype) }
    }
}
