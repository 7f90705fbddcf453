import IngotFormat
import Testing

@testable import IngotText

/// Every template of the corpus × every conversation renders byte for byte what jinja2 (set up as transformers
/// sets it up, cross-checked with apply_chat_template) rendered, or fails the way it failed.
@Suite struct TemplateFixtureTests {
    @Test func corpusIsComplete() {
        #expect(TemplateFixtures.templateNames.count >= 10)
        #expect(TemplateFixtures.conversations.count >= 8)
    }

    @Test(arguments: TemplateFixtures.templateNames)
    func rendersLikeTransformers(template name: String) throws {
        let template = try ChatTemplate(source: TemplateFixtures.source(name))
        let cases = TemplateFixtures.expected["templates"]?.objectValue?[name]?.objectValue?["cases"]?.objectValue
        #expect(cases?.count == TemplateFixtures.conversations.count)
        for (conversationName, expected) in cases ?? JSONObject() {
            let conversation = TemplateFixtures.conversations[conversationName]?.objectValue ?? JSONObject()
            let result = Result { try TemplateFixtures.render(template, name, conversation) }
            switch (result, expected.objectValue?["output"]?.stringValue, expected.objectValue?["error"]?.objectValue) {
            case let (.success(text), want?, _):
                let difference = TemplateFixtures.firstDifference(text, want)
                #expect(difference == nil, "\(name) × \(conversationName): \(difference ?? "")")
            case let (.failure(error), _, want?):
                let e = error as? TemplateError
                #expect(e?.kind.rawValue == want["kind"]?.stringValue, "\(name) × \(conversationName): \(error)")
                if e?.kind == .raised {
                    #expect(e?.message == want["message"]?.stringValue, "\(name) × \(conversationName)")
                }
            case let (.success(text), nil, want):
                Issue.record("\(name) × \(conversationName): rendered \(text.debugDescription), expected error \(String(describing: want))")
            case let (.failure(error), _, nil):
                Issue.record("\(name) × \(conversationName): \(error)")
            }
        }
    }
}
