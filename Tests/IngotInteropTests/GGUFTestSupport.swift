import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// fixtures/gguf: files written by gguf-py (fixtures/generate_gguf.py) and gguf-py's own values for them.
enum GGUFFixtures {
    static let names = ["kv_types.gguf", "tensor_types.gguf"]

    static func path(_ name: String) -> String { Fixtures.path("gguf/" + name) }

    static let expected: JSONObject = {
        let bytes = readBytes(path("expected.json"))
        return (try? JSONParser.parse(bytes))?.objectValue ?? JSONObject()
    }()

    static func file(_ name: String) -> JSONObject { expected["files"]?.objectValue?[name]?.objectValue ?? JSONObject() }

    static func tensors(_ name: String) -> JSONObject { file(name)["tensors"]?.objectValue ?? JSONObject() }

    /// expected.json's pairs as Ingot metadata: each key's value, then the types object (what `GGUFMetadata.json`
    /// must produce).
    static func metadata(_ name: String) -> JSONObject {
        var values = JSONObject()
        var types = JSONObject()
        for kv in file(name)["kvs"]?.arrayValue ?? [] {
            guard let o = kv.objectValue, let key = o["key"]?.stringValue, let v = o["value"], let t = o["type"] else { continue }
            values[key] = v
            types[key] = t
        }
        values[GGUFMetadata.typesKey] = .object(types)
        return values
    }

    static func hex(_ o: JSONObject, _ key: String) -> UInt64? { o[key]?.stringValue.flatMap(XXH3.parseHex) }
}

/// Opens GGUF bytes from memory, as the fuzz target does.
func openGGUF(_ bytes: [UInt8], path: String = "test.gguf") throws -> GGUFFile {
    try GGUFFile(mapped: bytes.withUnsafeBytes { MappedFile(copying: $0, path: path) })
}

/// The `GGUFError` opening `bytes` throws (nil when it opens or throws something else).
func ggufError(_ bytes: [UInt8]) -> GGUFError? { thrown(GGUFError.self) { _ = try openGGUF(bytes) } }

/// Builds GGUF files byte by byte, for files no real producer would write.
struct GGUFBytes {
    var bytes: [UInt8]

    init(version: UInt32 = 3, tensors: UInt64, kvs: UInt64, magic: String = "GGUF") {
        bytes = Array(magic.utf8) + le(version) + le(tensors) + le(kvs)
    }

    mutating func string(_ s: String) { raw(le(UInt64(s.utf8.count)) + Array(s.utf8)) }
    mutating func raw(_ b: [UInt8]) { bytes += b }
    mutating func u32(_ v: UInt32) { raw(le(v)) }
    mutating func u64(_ v: UInt64) { raw(le(v)) }

    /// A pair: key, type id, then the value's bytes as given.
    mutating func kv(_ key: String, type: UInt32, _ value: [UInt8]) {
        string(key)
        u32(type)
        raw(value)
    }

    mutating func kvU32(_ key: String, _ v: UInt32) { kv(key, type: 4, le(v)) }

    mutating func tensor(_ name: String, dims: [UInt64], type: UInt32 = 0, offset: UInt64 = 0) {
        string(name)
        u32(UInt32(dims.count))
        for d in dims { u64(d) }
        u32(type)
        u64(offset)
    }

    /// Zero padding up to the next multiple of `alignment` (the start of the data section).
    mutating func pad(_ alignment: Int = 32) { bytes += [UInt8](repeating: 0, count: (alignment - bytes.count % alignment) % alignment) }

    mutating func data(_ count: Int, fill: UInt8 = 0) { bytes += [UInt8](repeating: fill, count: count) }
}

/// A well-formed file with one F32 tensor of `count` elements, for tests that change one thing about it.
func oneTensorFile(count: UInt64 = 4) -> [UInt8] {
    var g = GGUFBytes(tensors: 1, kvs: 1)
    g.kv("general.architecture", type: 8, le(UInt64(4)) + Array("test".utf8))
    g.tensor("t", dims: [count])
    g.pad()
    g.data(Int(count) * 4, fill: 0x3f)
    return g.bytes
}
