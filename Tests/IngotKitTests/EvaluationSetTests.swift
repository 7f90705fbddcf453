import Foundation
import IngotFormat
import IngotKit
import Testing

/// The built-in evaluation set and the prompt-file format.
@Suite struct EvaluationSetTests {
    @Test("the built-in set is fixtures/eval byte for byte (re-run scripts/embed_eval_set.py after editing them)")
    func builtInMatchesFixtures() throws {
        let text = try String(contentsOfFile: KitFixtures.root + "/fixtures/eval/text.txt", encoding: .utf8)
        let prompts = try String(contentsOfFile: KitFixtures.root + "/fixtures/eval/prompts.jsonl", encoding: .utf8)
        #expect(DefaultEvaluationSet.text == text)
        #expect(DefaultEvaluationSet.promptLines == prompts)
        #expect(EvaluationPrompt.defaults.count == 12)
    }

    @Test("prompt lines: JSON prompts, JSON chats and plain text; blank lines skipped")
    func promptLines() throws {
        let p = try EvaluationPrompt.parseLines(#"""
            {"prompt": "A"}

            {"messages": [{"role": "user", "content": "B"}]}
            plain C
            """#, path: "p")
        #expect(p.count == 3)
        #expect(p[0] == .text("A"))
        #expect(p[1].label == "B")
        #expect(p[2] == .text("plain C"))
    }

    @Test("a bad prompt line is an error naming the file and the line")
    func badPromptLine() {
        for bad in [#"{"prompt": "#, #"{"other": 1}"#, "\n\n"] {
            #expect {
                _ = try EvaluationPrompt.parseLines(bad, path: "prompts.jsonl")
            } throws: { e in "\(e)".contains("prompts.jsonl") }
        }
    }

    @Test("the FuzzPrompts corpus parses or fails with a line naming the file, never crashes")
    func promptCorpus() throws {
        let dir = KitFixtures.root + "/FuzzTesting/Corpus/prompts"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(files.count >= 5)
        var parsed = 0
        for f in files {
            let data = try #require(FileManager.default.contents(atPath: dir + "/" + f))
            do {
                parsed += try EvaluationPrompt.parseLines(String(decoding: data, as: UTF8.self), path: f).count
            } catch {
                #expect("\(error)".contains(f), "\(f): \(error)")
            }
        }
        #expect(parsed > 0)
    }

    @Test("an encoder verification embeds the text's lines and the prompts as sentences")
    func encoderSentences() throws {
        let bert = KitFixtures.bert
        let v = try Verifier.verify(VerifyRequest(candidate: bert, reference: bert, text: ("t", "First sentence.\n\nSecond one here.\n"),
                                                  prompts: [.text("A third.")]))
        #expect(v.sequences.count == 3)
        #expect(v.verdict.pass)
    }
}
