import Foundation
import IngotFormat

@testable import IngotText

/// The committed chat-template corpus (fixtures/text/templates, made by fixtures/generate_templates.py with
/// jinja2 and checked against transformers' apply_chat_template), found from this file's location.
enum TemplateFixtures {
    static let directory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/fixtures/text/templates"
    }()

    static func json(_ name: String) -> JSONObject {
        let bytes = (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))) ?? []
        return (try? JSONParser.parse(bytes))?.objectValue ?? JSONObject()
    }

    static let expected = json("expected.json")
    static let conversations = json("conversations.json")

    static var templateNames: [String] { expected["templates"]?.objectValue?.keys ?? [] }

    static func source(_ template: String) -> String {
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: directory + "/" + template + ".jinja"))) ?? Data()
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The moment the generator fixed strftime_now to (`now` in expected.json, ISO 8601).
    static var now: TemplateDate {
        let parts = (expected["now"]?.stringValue ?? "").split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        guard parts.count == 6 else { return TemplateDate(year: 1970, month: 1, day: 1) }
        return TemplateDate(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts[5])
    }

    /// Renders one template × conversation the way the generator called apply_chat_template.
    static func render(_ template: ChatTemplate, _ templateName: String, _ conversation: JSONObject) throws -> String {
        var variables = JSONObject([("unk_token", .string("<unk>"))])
        let specials = expected["templates"]?.objectValue?[templateName]?.objectValue?["special_tokens"]?.objectValue
        for (k, v) in specials ?? JSONObject() { variables[k] = v }
        for (k, v) in conversation["variables"]?.objectValue ?? JSONObject() { variables[k] = v }
        return try template.render(
            messages: conversation["messages"]?.arrayValue ?? [], tools: conversation["tools"]?.arrayValue,
            addGenerationPrompt: conversation["add_generation_prompt"]?.boolValue ?? false, variables: variables,
            now: now)
    }

    /// Where two renderings first differ byte for byte (Swift's `==` would equate canonically equivalent text),
    /// with a little context; nil when identical.
    static func firstDifference(_ got: String, _ want: String) -> String? {
        let a = Array(got.utf8)
        let b = Array(want.utf8)
        guard a != b else { return nil }
        let i = zip(a, b).prefix { $0 == $1 }.count
        func around(_ bytes: [UInt8]) -> String {
            String(decoding: bytes[max(0, i - 40)..<min(bytes.count, i + 40)], as: UTF8.self).debugDescription
        }
        return "first difference at byte \(i) (lengths \(a.count), \(b.count)): got \(around(a)), expected \(around(b))"
    }
}
