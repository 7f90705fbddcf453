import Foundation
import IngotFormat
import IngotKit
import Testing

/// Text in through the pipelines: a model's own tokenizer (from tokenizer.json or GGUF arrays) and chat template,
/// checked against ids the `tokenizers` library produced for the fixtures.
@Suite struct ModelTextTests {
    static let tokens: JSONObject = {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: KitFixtures.root + "/fixtures/models/tokens.json"))) ?? Data()
        return (try? JSONParser.parse([UInt8](data)))?.objectValue ?? JSONObject()
    }()
    static var prompt: String { tokens["text"]?.stringValue ?? "" }
    static var ids: [Int] { (tokens["ids"]?.arrayValue ?? []).compactMap { $0.intValue.map(Int.init) } }

    @Test func aHuggingFaceDirectoryTokenizesAsTokenizersDid() throws {
        let t = try ModelText.load(path: KitFixtures.llama)
        #expect(Self.ids.count == 12)
        #expect(t.tokenize(Self.prompt).encoding.ids == Self.ids)
        #expect(t.bosToken == "<|im_start|>" && t.eosToken == "<|im_end|>")
    }

    @Test func theSameVocabularyFromGGUFGivesTheSameIds() throws {
        let t = try ModelText.load(path: KitFixtures.llamaQ8)
        #expect(t.tokenize(Self.prompt, addSpecialTokens: false).encoding.ids == Self.ids)
        #expect(try t.decode(Self.ids, skipSpecialTokens: false) == Self.prompt)
    }

    @Test func aBareTokenizerJSONWorks() throws {
        let t = try ModelText.load(path: KitFixtures.llama + "/tokenizer.json")
        #expect(t.tokenize(Self.prompt).encoding.ids == Self.ids)
    }

    @Test func bertTextGivesTheFixtureIdsAndTypes() throws {
        let runner = try ModelRunner(path: KitFixtures.bert)
        let (ids, types) = try runner.tokenize("Attention weights each token.")
        #expect(ids == [2, 108, 78, 109, 59, 6, 3])
        #expect(types == [0, 0, 0, 0, 0, 0, 0])
    }

    @Test func theChatTemplateRendersAConversation() throws {
        let t = try ModelText.load(path: KitFixtures.llama)
        let messages: [JSONValue] = [.object(JSONObject([("role", .string("user")), ("content", .string("Hi!"))]))]
        let r = try t.prompt(messages: messages)
        #expect(r.text == "<|im_start|>system\nYou are a tiny test model.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n")
        #expect(r.encoding.ids.first == 1)
        let closed = try t.prompt(messages: messages, addGenerationPrompt: false)
        #expect(!closed.text.hasSuffix("assistant\n"))
    }

    @Test func aTemplateThatRaisesIsOneClearError() throws {
        let t = try ModelText.load(path: KitFixtures.llama)
        let messages: [JSONValue] = [.object(JSONObject([("role", .string("user")), ("content", .string("Hi!"))]))]
        #expect(throws: FileError.self) {
            _ = try t.prompt(messages: messages, template: "{{ raise_exception('roles must alternate') }}")
        }
    }

    @Test func modelsWithoutATokenizerSaySo() {
        #expect(throws: PipelineError.noTokenizer(path: KitFixtures.tiny)) { _ = try ModelText.load(path: KitFixtures.tiny) }
        #expect(throws: PipelineError.self) { _ = try ModelRunner(path: KitFixtures.bert).text?.prompt(messages: [.object(JSONObject())]) }
    }

    @Test func logitsShowTokenText() throws {
        let r = try ModelRunner(path: KitFixtures.llama).run(Array(Self.ids.prefix(3)))
        #expect(r.tokenText[1] == "<|im_start|>" && r.tokenText[311] == "He")
        #expect(r.json.description.contains("\"text\":\"<|im_start|>\""))
    }
}
