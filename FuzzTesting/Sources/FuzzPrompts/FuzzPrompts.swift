import IngotKit

/// libFuzzer entry for `verify --prompts` files: the input bytes are a prompt file (one prompt per line: text,
/// `{"prompt": …}` or `{"messages": […]}`). A `FileError` naming the line is a correct answer; a crash is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPrompts(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let prompts = try? EvaluationPrompt.parseLines(text, path: "fuzz") {
        for p in prompts { _ = p.label }
    }
    return 0
}
