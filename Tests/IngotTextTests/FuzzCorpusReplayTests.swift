import Foundation
import Testing

@testable import IngotText

/// Replays the committed fuzz corpus of FuzzTokenizer (FuzzTesting/Corpus/tokenizer/) the way the target runs it:
/// as a tokenizer.json (built, encoding a pair and decoding) and as text through a fixture tokenizer.
@Suite struct FuzzCorpusReplayTests {
    static let dir: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/FuzzTesting/Corpus/tokenizer"
    }()

    @Test func corpusReplaysWithoutCrashing() throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: Self.dir)) ?? []
        #expect(!files.isEmpty)
        let text = try TextFixtures.tokenizer("sp")
        for f in files.sorted() {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.dir + "/" + f)))
            if let tok = try? Tokenizer(jsonBytes: bytes) {
                let e = tok.encode(" <s> a\u{301}\n\n12345 ", pair: "日本語テキスト😀")
                _ = tok.decode(e.ids, skipSpecialTokens: false)
            }
            let e = text.encode(String(decoding: bytes, as: UTF8.self))
            #expect(!e.ids.isEmpty)
        }
    }
}
