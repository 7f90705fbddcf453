import IngotFormat
import IngotText

/// libFuzzer entry for chat templates: the input bytes are a template, parsed and rendered with a small
/// conversation (tool call, list content, non-ASCII) under tight limits. A `TemplateError` is a correct answer;
/// a crash, a hang or memory growth beyond the limits is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let limits = TemplateLimits(maxSteps: 200_000, maxOutputBytes: 1 << 20, maxItems: 1 << 16)
    guard let template = try? ChatTemplate(source: source, limits: limits) else { return 0 }
    _ = try? template.render(
        messages: FuzzConversation.messages, tools: FuzzConversation.tools, addGenerationPrompt: true,
        variables: FuzzConversation.variables, now: TemplateDate(year: 2026, month: 7, day: 26))
    return 0
}

enum FuzzConversation {
    static let text = #"""
        {"messages": [
          {"role": "system", "content": "Be brief. é ✓"},
          {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "{{ hi }}"}]},
          {"role": "assistant", "content": "", "tool_calls": [{"type": "function",
            "function": {"name": "f", "arguments": {"a": [1, 2.5, null, true]}}}]},
          {"role": "tool", "content": "{\"ok\": 1}"}],
         "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
         "variables": {"bos_token": "<s>", "eos_token": "</s>"}}
        """#
    static let parsed = (try? JSONParser.parse(Array(text.utf8)))?.objectValue ?? JSONObject()
    static let messages = parsed["messages"]?.arrayValue ?? []
    static let tools = parsed["tools"]?.arrayValue
    static let variables = parsed["variables"]?.objectValue ?? JSONObject()
}
