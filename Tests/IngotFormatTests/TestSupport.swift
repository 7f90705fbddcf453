import Foundation
@testable import IngotFormat

/// A fresh directory under /tmp for one test, removed when the value is dropped.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "ingot-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    var entries: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func readBytes(_ path: String) -> [UInt8] { (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? [] }
func writeBytes(_ bytes: [UInt8], to path: String) { _ = FileManager.default.createFile(atPath: path, contents: Data(bytes)) }

/// Validates raw container bytes and returns the rule they break (nil when valid).
func validationError(_ bytes: [UInt8]) -> IngotError? {
    let r = bytes.withUnsafeBytes { b in Result { () throws(IngotError) in try IngotFile.validate(b) } }
    if case let .failure(e) = r { return e }
    return nil
}

/// Unwraps the IngotError inside a FileError (or returns it directly).
func ingotError(_ error: any Error) -> IngotError? {
    if let f = error as? FileError { return f.underlying as? IngotError }
    return error as? IngotError
}

/// Builds a container around a hand-written header, computing the header checksum and layout unless overridden.
func craft(header: String, data: [UInt8] = [], dataOffset: Int? = nil, major: UInt16 = 1, minor: UInt16 = 0,
           checksum: UInt64? = nil) -> [UInt8] {
    craft(headerBytes: Array(header.utf8), data: data, dataOffset: dataOffset, major: major, minor: minor, checksum: checksum)
}

func craft(headerBytes json: [UInt8], data: [UInt8] = [], dataOffset: Int? = nil, major: UInt16 = 1, minor: UInt16 = 0,
           checksum: UInt64? = nil) -> [UInt8] {
    let off = dataOffset ?? ((Preamble.size + json.count + 4095) / 4096 * 4096)
    var pre = Preamble(headerLength: UInt64(json.count), headerChecksum: checksum ?? XXH3.hash(json), dataOffset: UInt64(off))
    pre.major = major
    pre.minor = minor
    var out = pre.bytes + json
    if off > out.count { out += [UInt8](repeating: 0, count: off - out.count) }
    return out + data
}

/// A tensor-table row as JSON text.
func row(_ name: String, dtype: String = "f32", shape: [Int] = [2], offset: Int = 0, length: Int = 8,
         xxh3: String? = nil, encoding: String = "\"raw\"", extra: String = "") -> String {
    let sum = xxh3 ?? XXH3.hexString(XXH3.hash([UInt8](repeating: 0, count: length)))
    return "{\"name\":\"\(name)\",\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"offset\":\(offset),\"length\":\(length),\"encoding\":\(encoding),\"xxh3\":\"\(sum)\"\(extra)}"
}

func header(_ rows: [String], alignment: Int = 64, metadata: String = "{}") -> String {
    "{\"alignment\":\(alignment),\"metadata\":\(metadata),\"tensors\":[\(rows.joined(separator: ","))]}"
}

/// Writes a container with the given f32 tensors through the real writer and returns its bytes.
func writeContainer(_ tensors: [(String, [Float])], compression: CompressionOptions? = nil, metadata: JSONObject = JSONObject(),
                    in dir: TempDir, name: String = "t.ingot") throws -> [UInt8] {
    let path = dir.file(name)
    let w = try IngotWriter(path: path, options: .init(compression: compression), metadata: metadata)
    for (n, v) in tensors {
        let layout = try TensorLayout(name: n, dtype: .f32, shape: [v.count], groupSize: nil)
        try v.withUnsafeBytes { try w.append(TensorDescriptor(name: n, layout: layout), bytes: $0) }
    }
    try w.finish()
    return readBytes(path)
}

/// Smooth, compressible f32 values shaped like trained weights.
func weights(_ n: Int, seed: UInt64 = 1) -> [Float] {
    var s = seed
    return (0..<n).map { _ in
        s = s &* 6364136223846793005 &+ 1442695040888963407
        let u = Float(s >> 40) / Float(1 << 24)
        return (u - 0.5) * 0.04
    }
}
