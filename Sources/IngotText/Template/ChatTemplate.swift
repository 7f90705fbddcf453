import IngotFormat

/// A chat template (the `chat_template` of tokenizer_config.json, `tokenizer.chat_template` in GGUF), parsed once
/// and rendered as transformers' `apply_chat_template(…, tokenize=False)` renders it: jinja2 with
/// `trim_blocks`/`lstrip_blocks`, no autoescaping, loop controls, and transformers' `raise_exception`, `tojson`
/// and `strftime_now`.
///
/// Rendering is bounded (`TemplateLimits`): a template that loops or recurses without end, or builds huge
/// strings, stops with a `TemplateError` instead of hanging or exhausting memory. A parsed template is immutable:
/// one value can render on many threads at once. See specs/chat-templates.md for the language and the limits.
public struct ChatTemplate: Sendable {
    public let source: String
    public let limits: TemplateLimits
    let nodes: [TemplateNode]

    /// Parses `source`. A syntax error or an unsupported tag is reported here, and so is an unknown filter or test
    /// except inside an `if` or a conditional expression, where it fails only if it runs (jinja2's rules when it
    /// compiles a template).
    public init(source: String, limits: TemplateLimits = TemplateLimits()) throws(TemplateError) {
        self.source = source
        self.limits = limits
        let stack = LargeStack.bytes(maxDepth: limits.maxDepth)
        nodes = try LargeStack.run(bytes: stack) {
            Result { () throws(TemplateError) in try TemplateParser.parse(source) }
        }.get()
    }

    /// Renders with exactly these variables (jinja2's `template.render(**context)`): a variable not in
    /// `context` is undefined. `now` is what `strftime_now` formats.
    public func render(_ context: JSONObject, now: TemplateDate = .now()) throws(TemplateError) -> String {
        try LargeStack.run(bytes: LargeStack.bytes(maxDepth: limits.maxDepth)) {
            Result { () throws(TemplateError) in try renderHere(context, now: now) }
        }.get()
    }

    /// Renders on the current thread (`render` calls this on a thread with a large enough stack).
    private func renderHere(_ context: JSONObject, now: TemplateDate) throws(TemplateError) -> String {
        let scope = TemplateScope(parent: nil)
        for (k, v) in context { scope.set(k, try TemplateValue.from(v, maxDepth: TemplateValue.maxNesting)) }
        return try TemplateRenderer(limits: limits, now: now).render(nodes, scope: scope)
    }

    /// Renders a conversation the way `apply_chat_template` prepares it: `messages` with null-valued keys
    /// dropped and the reasoning aliases added (`thinking`, `reasoning_content`), `tools` and `documents` as
    /// given or `None`, `add_generation_prompt`, and `variables` (special tokens such as `bos_token`, and any
    /// extra template arguments).
    public func render(
        messages: [JSONValue], tools: [JSONValue]? = nil, documents: [JSONValue]? = nil,
        addGenerationPrompt: Bool = false, variables: JSONObject = JSONObject(), now: TemplateDate = .now()
    ) throws(TemplateError) -> String {
        guard !messages.isEmpty else {
            throw TemplateError(.type, "cannot apply a chat template to an empty conversation")
        }
        var context = variables
        var prepared: [JSONValue] = []
        for message in messages {
            guard case let .object(m) = message else {
                throw TemplateError(.type, "chat messages must be objects, got \(message.typeName)")
            }
            prepared.append(.object(Self.prepared(m)))
        }
        context["messages"] = .array(prepared)
        context["tools"] = tools.map { .array($0) } ?? .null
        context["documents"] = documents.map { .array($0) } ?? .null
        context["add_generation_prompt"] = .bool(addGenerationPrompt)
        return try render(context, now: now)
    }

    /// transformers' `_normalize_chat_messages` (drop keys whose value is null: many templates test for a
    /// missing key) and `_alias_reasoning_fields` (the first of reasoning_content/thinking/reasoning is also
    /// given as `thinking`, first, and `reasoning_content`).
    static func prepared(_ message: JSONObject) -> JSONObject {
        var kept = JSONObject()
        for (k, v) in message where v != .null { kept[k] = v }
        guard let reasoning = ["reasoning_content", "thinking", "reasoning"].lazy.compactMap({ kept[$0] }).first else {
            return kept
        }
        var aliased = JSONObject([("thinking", reasoning)])
        for (k, v) in kept { aliased[k] = v }
        aliased["reasoning_content"] = reasoning
        return aliased
    }
}
