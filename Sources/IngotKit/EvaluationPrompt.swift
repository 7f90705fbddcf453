import IngotFormat

/// One prompt of a greedy-agreement run: plain text, or a conversation for the chat template.
public enum EvaluationPrompt: Sendable, Equatable {
    case text(String)
    case messages([JSONValue])

    /// A short label for reports: the text, or the last message's content.
    public var label: String {
        switch self {
        case let .text(s): return s
        case let .messages(m): return m.last?.objectValue?["content"]?.stringValue ?? "(chat)"
        }
    }

    /// The prompt as `Generator` takes it.
    var input: GenerateRequest.Input {
        switch self {
        case let .text(s): return .text(s)
        case let .messages(m): return .messages(m)
        }
    }

    /// One prompt per non-blank line: a JSON object `{"prompt": TEXT}` or `{"messages": [...]}`, or any other line
    /// as plain text. `path` names the file in errors.
    public static func parseLines(_ text: String, path: String) throws -> [EvaluationPrompt] {
        var out: [EvaluationPrompt] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let s = line.trimmingCharacters(in: " \t\r")
            guard !s.isEmpty else { continue }
            guard s.hasPrefix("{") else { out.append(.text(s)); continue }
            let value: JSONValue
            do { value = try JSONParser.parse(Array(s.utf8)) } catch {
                throw FileError(path: path, IngotError.io("line \(n + 1): not valid JSON: \(error)"))
            }
            if let p = value.objectValue?["prompt"]?.stringValue {
                out.append(.text(p))
            } else if let m = value.objectValue?["messages"]?.arrayValue, !m.isEmpty {
                out.append(.messages(m))
            } else {
                throw FileError(path: path, IngotError.io("line \(n + 1): expected {\"prompt\": …} or {\"messages\": […]}"))
            }
        }
        guard !out.isEmpty else { throw FileError(path: path, IngotError.io("no prompts")) }
        return out
    }

    /// The default evaluation set's dozen prompts and chats.
    public static var defaults: [EvaluationPrompt] {
        (try? parseLines(DefaultEvaluationSet.promptLines, path: "default evaluation set")) ?? []
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = self[...]
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
