import Foundation
import IngotFormat
import Testing

@testable import IngotText

/// Replays the committed fuzz corpus (FuzzTesting/Corpus/template/) through what the FuzzTemplate target runs:
/// every input parses and renders or fails with a `TemplateError`, within the limits; an input that once
/// mattered to the fuzzer stays a test.
@Suite struct TemplateCorpusReplayTests {
    static let corpus: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/FuzzTesting/Corpus/template"
    }()

    @Test func corpusReplaysWithinLimits() throws {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: Self.corpus)) ?? []).sorted()
        #expect(files.count >= 100)
        let limits = TemplateLimits(maxSteps: 200_000, maxOutputBytes: 1 << 20, maxItems: 1 << 16)
        let message = JSONValue.object(JSONObject([("role", .string("user")), ("content", .string("hi"))]))
        var rendered = 0
        for file in files {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: Self.corpus + "/" + file))) ?? Data()
            let source = String(decoding: bytes, as: UTF8.self)
            do {
                let text = try ChatTemplate(source: source, limits: limits).render(
                    messages: [message], addGenerationPrompt: true, now: fixedNow)
                #expect(text.utf8.count <= limits.maxOutputBytes)
                rendered += 1
            } catch {
                // A TemplateError is a correct answer for a fuzzed template (typed throws admit nothing else).
            }
        }
        // The seeds are the fixture templates: at least those render.
        #expect(rendered >= 12)
    }
}
