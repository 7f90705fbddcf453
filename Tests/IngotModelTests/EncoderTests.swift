import Foundation
import IngotFamilies
import IngotFormat
import IngotInterop
import Testing

@testable import IngotModel

extension ModelTests {
    /// The BERT encoder against transformers' BertModel and sentence-transformers on fixtures/models/bert
    /// (fixtures/generate_bert.py): random weights with non-trivial LayerNorm weights and biases, eval mode.
    @Suite struct EncoderTests {
        /// One fixture sequence: ids, token types, and the index of its reference files.
        struct Sequence: Sendable, CustomTestStringConvertible {
            let index: Int
            let ids: [Int]
            let types: [Int]
            var testDescription: String { "sequence \(index) (\(ids.count) tokens)" }
        }

        static let expected: JSONObject = (try? Fixtures.json("bert/expected.json")) ?? JSONObject()

        static let sequences: [Sequence] = (expected["sequences"]?.arrayValue ?? []).enumerated().map { i, s in
            let o = s.objectValue ?? JSONObject()
            func ints(_ k: String) -> [Int] { (o[k]?.arrayValue ?? []).compactMap { $0.intValue.map(Int.init) } }
            return Sequence(index: i, ids: ints("ids"), types: ints("token_type_ids"))
        }

        static func reference(_ file: String) throws -> [Float] {
            let npy = try NpyFile(path: Fixtures.path("bert/" + file))
            return try npy.load(npy.name).withBytes { try FloatConversion.toFloats($0, dtype: npy.array.dtype) }
        }

        /// The encoder from a Hugging Face directory, as the CLI opens it (canonical names, typed config).
        static func encoder(_ dir: String = "bert/safetensors") throws -> Transformer {
            let source = try openModelSource(path: Fixtures.path(dir))
            return try Transformer(config: ModelConfig(metadata: source.metadata), weights: TensorSourceWeights(source: source))
        }

        /// Bound far below any mistake the generator measured (tanh-GELU moves hidden states by NMSE ~6e-8, a zeroed
        /// LayerNorm bias by ~1e-2) and above the f32 noise floor (~4e-13).
        static let tolerance = 1e-9

        @Test("the fixture has three sequences, one with token types 1")
        func fixturePresent() {
            #expect(Self.sequences.count == 3)
            #expect(Self.sequences.contains { $0.types.contains(1) })
        }

        @Test("last hidden states match transformers' BertModel", arguments: sequences)
        func hiddenStates(_ s: Sequence) throws {
            let h = try Self.encoder().encode(s.ids, tokenTypes: s.types)
            let e = nmse(h.values, try Self.reference("hidden-\(s.index).npy"))
            #expect(h.positions == s.ids.count && h.width == 64)
            #expect(e < Self.tolerance, "NMSE \(e)")
        }

        @Test("the pooler (dense + tanh over [CLS]) matches pooler_output", arguments: sequences)
        func pooler(_ s: Sequence) throws {
            let h = try Self.encoder().encode(s.ids, tokenTypes: s.types)
            let pooled = try #require(h.pooler)
            #expect(nmse(pooled, try Self.reference("pooler-\(s.index).npy")) < Self.tolerance)
        }

        @Test("mean pooling + L2 normalisation matches sentence-transformers' embedding", arguments: sequences)
        func sentenceEmbedding(_ s: Sequence) throws {
            let h = try Self.encoder().encode(s.ids, tokenTypes: s.types)
            #expect(nmse(h.mean, try Self.reference("mean-\(s.index).npy")) < Self.tolerance)
            #expect(nmse(HiddenStates.normalized(h.mean), try Self.reference("embedding-\(s.index).npy")) < Self.tolerance)
        }

        @Test("a task checkpoint's bert. prefix and position_ids buffer map onto BertModel's names")
        func prefixedCheckpoint() throws {
            let s = try #require(Self.sequences.first)
            let h = try Self.encoder("bert/prefixed").encode(s.ids, tokenTypes: s.types)
            #expect(nmse(h.values, try Self.reference("prefixed/hidden-0.npy")) < Self.tolerance)
        }

        @Test("token types change the result (they are not ignored)")
        func tokenTypesMatter() throws {
            let s = try #require(Self.sequences.first { $0.types.contains(1) })
            let zeros = try Self.encoder().encode(s.ids, tokenTypes: nil)
            #expect(nmse(zeros.values, try Self.reference("hidden-\(s.index).npy")) > 1e-4)
        }

        @Test("bad inputs: decoder calls, token and type ids out of range, too many positions")
        func badInputs() throws {
            let m = try Self.encoder()
            #expect(thrown(ModelError.self) { try m.prefill([2, 3]) } == .encoderOnly)
            #expect(thrown(ModelError.self) { try m.encode([2, 200]) } == .tokenOutOfRange(token: 200, vocab: 200))
            #expect(thrown(ModelError.self) { try m.encode([2, 3], tokenTypes: [0, 2]) } == .tokenTypeOutOfRange(type: 2, types: 2))
            #expect(thrown(ModelError.self) { try m.encode([2, 3], tokenTypes: [0]) } != nil)
            #expect(thrown(ModelError.self) { try m.encode(Array(repeating: 5, count: 65)) } == .contextFull(position: 64, maxPositions: 64))
            #expect(thrown(ModelError.self) { try m.encode([]) } == .emptyInput)
        }

        @Test("the directory's own sentence-transformers pooling (modules.json, 1_Pooling) survives import: mean + normalize")
        func ownPooling() throws {
            let source = try openModelSource(path: Fixtures.path("bert/safetensors"))
            let pooling = try #require(try Pooling(metadata: source.metadata))
            #expect(pooling == Pooling(mode: .mean, normalize: true))
            #expect(source.sourceFiles.map(\.shown).contains("1_Pooling/config.json"))
            for s in Self.sequences {
                let h = try Self.encoder().encode(s.ids, tokenTypes: s.types)
                #expect(nmse(try pooling.apply(h), try Self.reference("embedding-\(s.index).npy")) < Self.tolerance)
            }
        }

        @Test("pooling modes: cls is the first state, pooler is BertModel's, none is every state")
        func poolingModes() throws {
            let s = try #require(Self.sequences.first)
            let h = try Self.encoder().encode(s.ids, tokenTypes: s.types)
            #expect(try Pooling(mode: .cls, normalize: false).apply(h) == Array(h.row(0)))
            #expect(try Pooling(mode: .pooler, normalize: false).apply(h) == h.pooler)
            #expect(try Pooling(mode: .none, normalize: false).apply(h) == h.values)
            let mx = try Pooling(mode: .max, normalize: false).apply(h)
            #expect(mx.count == 64 && (0..<h.positions).allSatisfy { i in zip(h.row(i), mx).allSatisfy { $0 <= $1 } })
        }

        @Test("pooling configs that set no supported mode, or an unsupported one, are refused")
        func badPoolingConfig() throws {
            func meta(_ flags: [(String, Bool)]) -> JSONObject {
                let modules: JSONValue = .array([.object(JSONObject([("path", .string("1_Pooling")), ("type", .string("sentence_transformers.models.Pooling"))]))])
                let cfg = JSONObject(flags.map { ($0.0, JSONValue.bool($0.1)) })
                return JSONObject([("ingot.sentence_transformers", .object(JSONObject([
                    ("modules", modules), ("module_configs", .object(JSONObject([("1_Pooling", .object(cfg))]))),
                ])))])
            }
            #expect(thrown(ModelError.self) { try Pooling(metadata: meta([])) } != nil)
            #expect(thrown(ModelError.self) { try Pooling(metadata: meta([("pooling_mode_mean_tokens", true), ("pooling_mode_cls_token", true)])) } != nil)
            #expect(thrown(ModelError.self) { try Pooling(metadata: meta([("pooling_mode_lasttoken", true)])) } != nil)
            #expect(try Pooling(metadata: meta([("pooling_mode_cls_token", true)])) == Pooling(mode: .cls, normalize: false))
            #expect(try Pooling(metadata: JSONObject()) == nil)
        }

        @Test("sentence-transformers 6 files (pooling_mode \"mean\", new module paths) give the same pooling")
        func sentenceTransformers6Layout() throws {
            let fm = FileManager.default
            let dir = fm.temporaryDirectory.appendingPathComponent("st6-\(UInt64.random(in: 0...UInt64.max))").path
            defer { try? fm.removeItem(atPath: dir) }
            try fm.copyItem(atPath: Fixtures.path("bert/st6"), toPath: dir)
            for f in ["model.safetensors", "config.json"] {
                try fm.copyItem(atPath: Fixtures.path("bert/safetensors/" + f), toPath: dir + "/" + f)
            }
            let source = try openModelSource(path: dir)
            #expect(try Pooling(metadata: source.metadata) == Pooling(mode: .mean, normalize: true))
        }

        @Test("a decoder refuses encode")
        func decoderRefusesEncode() throws {
            let m = try ModelFixture(name: "llama-tied").load()
            #expect(thrown(ModelError.self) { try m.encode([1, 2]) } == .decoderOnly)
        }

        @Test("the typed BERT config from config.json reads back equal from ingot.config")
        func configRoundTrip() throws {
            let hf = try Fixtures.json("bert/safetensors/config.json")
            let c = try #require(try ModelFamilies.config(fromHF: hf))
            #expect(c.layout == .bert && c.typeVocabSize == 2 && c.activation == .gelu && c.normEps == 1e-12)
            #expect(try ModelConfig(family: "bert", config: c.json) == c)
        }

        @Test("relative position embeddings are refused by name")
        func relativePositionsRefused() throws {
            var hf = try Fixtures.json("bert/safetensors/config.json")
            hf["position_embedding_type"] = .string("relative_key")
            #expect(thrown(ModelConfigError.self) { try ModelFamilies.config(fromHF: hf) }
                == .unsupported(key: "config.json.position_embedding_type", value: "\"relative_key\""))
        }
    }
}
