import Foundation
import IngotFormat

/// The committed model fixtures (written by transformers, never by Ingot), found from this file's location.
enum Fixtures {
    static let dir: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // IngotModelTests → Tests → repository root
        return url.path + "/fixtures/models"
    }()

    static func path(_ name: String) -> String { dir + "/" + name }

    static func json(_ name: String) throws -> JSONObject {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path(name))))
        guard let o = try JSONParser.parse(bytes).objectValue else { throw FixtureError("\(name) is not a JSON object") }
        return o
    }

    /// The 12 prompt ids every logits file was computed from.
    static let tokens: [Int] = {
        let ids = (try? json("tokens.json"))?["ids"]?.arrayValue ?? []
        return ids.compactMap { $0.intValue.map(Int.init) }
    }()

    static let expected: JSONObject = (try? json("expected.json")) ?? JSONObject()
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
