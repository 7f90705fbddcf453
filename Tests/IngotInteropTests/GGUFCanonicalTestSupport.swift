import IngotFamilies
import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// fixtures/models: llama-gqa / llama-tied as Hugging Face safetensors and as GGUF files written the way llama.cpp's
/// converter writes them (fixtures/generate_models.py), with expected.json's hashes.
enum ModelFixtures {
    static let gqaTypes = ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1"]
    static let tiedTypes = ["F16", "Q8_0"]

    static func gguf(_ model: String, _ type: String) -> String { "\(model)/gguf/\(model)-\(type).gguf" }
    static func path(_ rel: String) -> String { Fixtures.path("models/" + rel) }

    static func model(_ m: String) -> JSONObject { Fixtures.expectedModels["models"]?.objectValue?[m]?.objectValue ?? JSONObject() }
    static func file(_ m: String, _ rel: String) -> JSONObject { model(m)["files"]?.objectValue?[rel]?.objectValue ?? JSONObject() }
    static func tensor(_ m: String, _ rel: String, _ name: String) -> JSONObject {
        file(m, rel)["tensors"]?.objectValue?[name]?.objectValue ?? JSONObject()
    }

    static func readJSON(_ path: String) throws -> JSONObject {
        guard let o = try JSONParser.parse(readBytes(path)).objectValue else { throw FixtureFailure("\(path): not an object") }
        return o
    }
}

struct FixtureFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A Hugging Face directory as the canonical source the CLI builds from it (HFDirectory's metadata: ingot.architecture,
/// ingot.config from the family's typed config, ingot.hf_config, ingot.tokenizer), over its single safetensors file.
final class HFCanonicalFixture: TensorSource {
    let file: SafetensorsFile
    let metadata: JSONObject
    var path: String { file.path }
    var formatName: String { "hf-directory" }
    var descriptors: [TensorDescriptor] { file.descriptors }
    func load(_ name: String) throws -> TensorBuffer { try file.load(name) }

    init(_ dir: String) throws {
        file = try SafetensorsFile(path: dir + "/model.safetensors")
        let hf = try ModelFixtures.readJSON(dir + "/config.json")
        guard let config = try ModelFamilies.config(fromHF: hf) else { throw FixtureFailure("no family") }
        var meta = JSONObject()
        meta["ingot.architecture"] = .string(config.family)
        meta["ingot.config"] = .object(config.json)
        meta["ingot.hf_config"] = .object(hf)
        var tok = JSONObject()
        if FileManager.default.fileExists(atPath: dir + "/tokenizer.json") {
            tok["tokenizer_json"] = .string(String(decoding: readBytes(dir + "/tokenizer.json"), as: UTF8.self))
        }
        if FileManager.default.fileExists(atPath: dir + "/tokenizer_config.json") {
            let tc = try ModelFixtures.readJSON(dir + "/tokenizer_config.json")
            tok["tokenizer_config"] = .object(tc)
            if let t = tc["chat_template"] { tok["chat_template"] = t }
        }
        if !tok.isEmpty { meta["ingot.tokenizer"] = .object(tok) }
        metadata = meta
    }
}

/// Any tensors and metadata, for tests that need a source no fixture has.
final class MemorySource: TensorSource {
    let path = "memory"
    let formatName = "memory"
    var metadata: JSONObject
    var descriptors: [TensorDescriptor] = []
    var data: [String: [UInt8]] = [:]

    init(metadata: JSONObject) { self.metadata = metadata }

    func add(_ name: String, _ dtype: DType, _ shape: [Int], groupSize: Int? = nil, bytes: [UInt8]) throws {
        descriptors.append(TensorDescriptor(name: name, layout: try TensorLayout(name: name, dtype: dtype, shape: shape, groupSize: groupSize)))
        data[name] = bytes
    }

    func load(_ name: String) throws -> TensorBuffer {
        guard let b = data[name] else { throw IngotError.noSuchTensor(name) }
        return b.withUnsafeBytes { TensorBuffer(copying: $0) }
    }
}

func bytes(_ b: TensorBuffer) -> [UInt8] { b.withBytes { Array($0) } }

/// A tensor's values as f32 (f32/f16/bf16 converted, q-types dequantized exactly).
func floats(_ b: TensorBuffer, _ l: TensorLayout) throws -> [Float] {
    if l.dtype.isBlockQuantized {
        return try BlockCodec.floatBuffer(b, layout: l).withBytes { Array($0.bindMemory(to: Float.self)) }
    }
    return try b.withBytes { try FloatConversion.toFloats($0, dtype: l.dtype) }
}

/// The f32 bytes of `values` with the rows of a q/k projection put in GGUF order (what gguf-py dequantizes).
func ggufOrder(_ values: [Float], rows: Int, heads: Int) throws -> [UInt8] {
    guard let p = RowPermutation(rows: rows, heads: heads) else { throw FixtureFailure("bad permutation") }
    let b = values.withUnsafeBytes { TensorBuffer(copying: $0) }
    return bytes(try p.apply(.toGGUF, to: b, rowBytes: values.count / rows * 4))
}

/// Writes a GGUF file from pairs and f32 tensors (canonical shapes), for files no fixture has.
func writeGGUF(_ path: String, _ kvs: [GGUFKeyValue], _ tensors: [(String, [Int], [Float])]) throws {
    var descs: [TensorDescriptor] = []
    var data: [String: [Float]] = [:]
    for (n, shape, v) in tensors {
        descs.append(TensorDescriptor(name: n, layout: try TensorLayout(name: n, dtype: .f32, shape: shape, groupSize: nil)))
        data[n] = v
    }
    try GGUFWriter(path: path, keyValues: kvs, tensors: descs).write(ClosureSource(descs) { d in
        (data[d.name] ?? []).withUnsafeBytes { TensorBuffer(copying: $0) }
    })
}

/// Deterministic pseudo-random floats (SplitMix64), so failures reproduce.
struct TestRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func floats(_ n: Int) -> [Float] { (0..<n).map { _ in Float(Int(next() % 2001) - 1000) / 1000 } }
}

/// The llama pairs a small synthetic GGUF needs (hidden 8, heads/kv heads as given, head_dim from hidden).
func llamaPairs(heads: UInt32 = 2, kvHeads: UInt32 = 2, hidden: UInt32 = 8, extra: [GGUFKeyValue] = []) -> [GGUFKeyValue] {
    [
        GGUFKeyValue("general.architecture", .string("llama")),
        GGUFKeyValue("llama.block_count", .uint32(1)),
        GGUFKeyValue("llama.context_length", .uint32(16)),
        GGUFKeyValue("llama.embedding_length", .uint32(hidden)),
        GGUFKeyValue("llama.feed_forward_length", .uint32(16)),
        GGUFKeyValue("llama.attention.head_count", .uint32(heads)),
        GGUFKeyValue("llama.attention.head_count_kv", .uint32(kvHeads)),
        GGUFKeyValue("llama.attention.layer_norm_rms_epsilon", .float32(1e-5)),
    ] + extra
}

/// Exports `source` to GGUF at `path` as the converter does (the `GGUFExport` view through its writer); returns the
/// export's warnings. Errors name `path`. Sources without a tokenizer are allowed unless `requireTokenizer` (the rules
/// these tests check are about tensors and keys).
@discardableResult
func exportGGUF(_ path: String, _ source: any TensorSource, requireTokenizer: Bool = false) throws -> [String] {
    let export = try withPath(path) { try GGUFExport(source, allowNoTokenizer: !requireTokenizer) }
    try export.writer(path: path).write(export)
    return export.warnings
}
