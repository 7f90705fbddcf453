import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// The committed fixtures (written by numpy/safetensors, never by Ingot), found from this file's location.
enum Fixtures {
    static let dir: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // IngotInteropTests → Tests → repository root
        return url.path + "/fixtures"
    }()

    static func path(_ name: String) -> String { dir + "/" + name }

    /// `expected.json`, parsed with Ingot's own strict parser.
    static let expected: JSONObject = {
        let bytes = readBytes(path("expected.json"))
        return (try? JSONParser.parse(bytes))?.objectValue ?? JSONObject()
    }()

    /// fixtures/models/expected.json (written by fixtures/generate_models.py from transformers/torch/gguf-py).
    static let expectedModels: JSONObject = {
        let bytes = readBytes(path("models/expected.json"))
        return (try? JSONParser.parse(bytes))?.objectValue ?? JSONObject()
    }()

    /// `files.<file>` of expected.json.
    static func file(_ name: String) -> JSONObject {
        expected["files"]?.objectValue?[name]?.objectValue ?? JSONObject()
    }

    /// `files.<file>.tensors` of expected.json.
    static func tensors(_ name: String) -> JSONObject { file(name)["tensors"]?.objectValue ?? JSONObject() }
}

/// What expected.json says about one tensor.
struct ExpectedTensor {
    let dtype: DType?
    let shape: [Int]
    let xxh3: UInt64?

    init(_ json: JSONValue?) {
        let o = json?.objectValue ?? JSONObject()
        if case let .supported(d) = SafetensorsDType.lookup(o["dtype"]?.stringValue ?? "") { dtype = d } else { dtype = nil }
        shape = (o["shape"]?.arrayValue ?? []).compactMap { $0.intValue.map(Int.init) }
        xxh3 = o["xxh3_64"]?.stringValue.flatMap(XXH3.parseHex)
    }
}

/// Checks every tensor of `source` against expected.json's entries (dtype, shape, XXH3-64 of the loaded bytes).
/// `rename` maps a source tensor name to expected.json's name (a single .npy is "array" there).
func expectMatchesFixture(_ source: any TensorSource, _ fixture: String, rename: (String) -> String = { $0 },
                          sourceLocation: SourceLocation = #_sourceLocation) throws {
    let expected = Fixtures.tensors(fixture)
    #expect(source.descriptors.count == expected.count, "tensor count", sourceLocation: sourceLocation)
    #expect(expected.count > 0, "expected.json lists tensors for \(fixture)", sourceLocation: sourceLocation)
    for d in source.descriptors {
        let e = ExpectedTensor(expected[rename(d.name)])
        #expect(e.dtype == d.layout.dtype, "dtype of \(d.name)", sourceLocation: sourceLocation)
        #expect(e.shape == d.layout.shape, "shape of \(d.name)", sourceLocation: sourceLocation)
        let buffer = try source.load(d.name)
        #expect(buffer.count == d.layout.byteCount, sourceLocation: sourceLocation)
        let hash = buffer.withBytes { XXH3.hash($0) }
        #expect(e.xxh3 == hash, "xxh3 of \(d.name)", sourceLocation: sourceLocation)
    }
}

/// A fresh directory under /tmp for one test, removed when the value is dropped.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "ingot-interop-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    var entries: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] }
    /// Writes `bytes` to a new file in this directory and returns its path.
    func write(_ bytes: [UInt8], name: String) -> String {
        let p = file(name)
        writeBytes(bytes, to: p)
        return p
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func readBytes(_ path: String) -> [UInt8] { (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? [] }
func writeBytes(_ bytes: [UInt8], to path: String) { _ = FileManager.default.createFile(atPath: path, contents: Data(bytes)) }

/// The format error inside a `FileError` (or the error itself), as `E`.
func underlying<E: Error>(_ error: any Error, as _: E.Type = E.self) -> E? {
    if let f = error as? FileError { return f.underlying as? E }
    return error as? E
}

/// Runs `body` and returns the `E` it threw (unwrapped from `FileError`), nil when it threw nothing or another type.
func thrown<E: Error>(_: E.Type, _ body: () throws -> Void) -> E? {
    do { try body() } catch { return underlying(error, as: E.self) }
    return nil
}

/// Little-endian bytes of an integer.
func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

/// Bytes of an array of numbers as stored in memory (little-endian on every platform Ingot supports).
func rawBytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
