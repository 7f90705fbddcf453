import Foundation
import IngotFormat

@testable import IngotText

/// The committed tokenizer fixtures (fixtures/generate_tokenizers.py: tokenizers trained and run by Hugging Face
/// `tokenizers`, never by Ingot), found from this file's location.
enum TextFixtures {
    static let dir: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/fixtures/text"
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
    }

    static func json(_ name: String) throws -> JSONObject {
        guard let o = try JSONParser.parse(bytes(name)).objectValue else { throw TextFixtureError("\(name): not an object") }
        return o
    }

    static let corpus: [String] = {
        ((try? json("corpus.json"))?["strings"]?.arrayValue ?? []).compactMap(\.stringValue)
    }()

    static func tokenizer(_ kind: String) throws -> Tokenizer {
        try Tokenizer(jsonBytes: bytes("\(kind).tokenizer.json"))
    }

    /// One corpus string's expectations.
    struct Case {
        var ids: [Int]
        var offsets: [Range<Int>]
        var added: [Int]
        var plainIDs: [Int]?
        var tokens: [Int: String]
        var decoded: String
        var noRoundTrip: Bool
    }

    static func cases(_ kind: String) throws -> (lossless: Bool, cases: [Case], pairs: [JSONObject]) {
        let o = try json("\(kind).expected.json")
        var out: [Case] = []
        for v in o["cases"]?.arrayValue ?? [] {
            guard let c = v.objectValue else { throw TextFixtureError("bad case") }
            let flat = ints(c["o"])
            let offsets = stride(from: 0, to: flat.count - 1, by: 2).map { flat[$0]..<flat[$0 + 1] }
            var tokens: [Int: String] = [:]
            for (k, t) in c["t"]?.objectValue ?? JSONObject() { tokens[Int(k) ?? -1] = t.stringValue }
            out.append(
                Case(
                    ids: ints(c["a"]), offsets: offsets, added: ints(c["m"]), plainIDs: c["b"].map { ints($0) },
                    tokens: tokens, decoded: c["d"]?.stringValue ?? "", noRoundTrip: c["nr"] != nil))
        }
        let pairs = (o["pairs"]?.arrayValue ?? []).compactMap(\.objectValue)
        return (o["lossless"]?.boolValue ?? false, out, pairs)
    }

    static func ints(_ v: JSONValue?) -> [Int] { (v?.arrayValue ?? []).compactMap { $0.intValue.map(Int.init) } }
}

struct TextFixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
