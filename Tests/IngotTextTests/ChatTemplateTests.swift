import IngotFormat
import Testing

@testable import IngotText

/// `ChatTemplate.render(messages:…)` prepares a conversation as transformers' apply_chat_template does.
@Suite struct ChatTemplateTests {
    static let echo = try? ChatTemplate(source: "{% for m in messages %}{{ m }}\n{% endfor %}{{ tools }}|{{ documents }}|{{ add_generation_prompt }}|{{ bos_token }}")

    func message(_ pairs: [(String, JSONValue)]) -> JSONValue { .object(JSONObject(pairs)) }

    /// Keys whose value is null are dropped (templates test `is defined`); tools and documents are None when
    /// absent; variables such as special tokens are passed through.
    @Test func conversationIsPreparedLikeApplyChatTemplate() throws {
        let template = try #require(Self.echo)
        let text = try template.render(
            messages: [message([("role", .string("user")), ("content", .string("hi")), ("tool_calls", .null), ("name", .null)])],
            addGenerationPrompt: true, variables: JSONObject([("bos_token", .string("<s>"))]), now: fixedNow)
        #expect(text == "{'role': 'user', 'content': 'hi'}\nNone|None|True|<s>")
    }

    /// The first reasoning field also appears as `thinking` (first) and `reasoning_content` (last), as
    /// transformers aliases them.
    @Test func reasoningFieldsAreAliased() throws {
        let template = try #require(Self.echo)
        let text = try template.render(
            messages: [message([("role", .string("assistant")), ("content", .string("4")), ("reasoning", .string("2+2"))])], now: fixedNow)
        #expect(text.hasPrefix("{'thinking': '2+2', 'role': 'assistant', 'content': '4', 'reasoning': '2+2', 'reasoning_content': '2+2'}"))
    }

    /// Tools given are a list the template can serialise.
    @Test func toolsArePassedAsGiven() throws {
        let template = try ChatTemplate(source: "{{ tools | tojson }}{{ tools is none }}")
        let tool = JSONValue.object(JSONObject([("name", .string("f"))]))
        #expect(try template.render(messages: [message([("role", .string("user"))])], tools: [tool], now: fixedNow)
            == "[{\"name\": \"f\"}]False")
    }

    /// An empty conversation or a message that is not an object is refused, as apply_chat_template does.
    @Test func malformedConversationsAreRefused() throws {
        let template = try #require(Self.echo)
        #expect(throws: TemplateError.self) { try template.render(messages: [], now: fixedNow) }
        #expect(throws: TemplateError.self) { try template.render(messages: [.string("text")], now: fixedNow) }
    }

    /// A parsed template is immutable and Sendable: concurrent renders share it and agree.
    @Test func concurrentRendersAgree() async throws {
        let template = try ChatTemplate(
            source: "{% set ns = namespace(n=0) %}{% for i in range(50) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}")
        let results = await withTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { (try? template.render(JSONObject(), now: fixedNow)) ?? "error" } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: "1225", count: 8))
    }

    /// Inputs nested deeper than values may be are refused instead of recursing without bound.
    @Test func deeplyNestedInputIsRefused() {
        var value = JSONValue.null
        for _ in 0..<300 { value = .array([value]) }
        #expect(throws: TemplateError.self) {
            try ChatTemplate(source: "{{ x }}").render(JSONObject([("x", value)]), now: fixedNow)
        }
    }
}

extension ChatTemplateTests {
    /// A render frees everything it made, even a namespace holding itself and macros (which hold their scope).
    @Test func rendersLeaveNoReferenceCycles() throws {
        let nodes = try TemplateParser.parse(
            "{% set ns = namespace(items=[]) %}{% set ns.me = ns %}{% set ns.items = [ns] %}"
                + "{% macro m() %}{{ ns.items | length }}{% endmacro %}{% for i in [1] %}{% set ns.l = loop %}{% endfor %}{{ m() }}")
        weak var weakScope: TemplateScope?
        weak var weakNamespace: TemplateNamespace?
        do {
            let scope = TemplateScope(parent: nil)
            weakScope = scope
            #expect(try TemplateRenderer(limits: TemplateLimits(), now: fixedNow).render(nodes, scope: scope) == "1")
            if case let .namespace(ns)? = scope.lookup("ns") { weakNamespace = ns }
        }
        #expect(weakNamespace == nil)
        #expect(weakScope == nil)
    }

    /// A macro called after the loop iteration that defined it has ended is refused, not run in a dead scope.
    @Test func macroOutlivingItsScopeIsRefused() {
        let source = "{% set ns = namespace() %}{% for i in [1] %}{% macro m() %}{{ i }}{% endmacro %}{% set ns.m = m %}{% endfor %}{{ ns.m() }}"
        #expect(renderError(source)?.message == "macro 'm' called after the loop or macro call that defined it ended")
    }
}
