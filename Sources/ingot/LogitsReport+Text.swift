import IngotFormat
import IngotKit

extension LogitsReport: Rendered {
    /// The five most likely next tokens after each position.
    var text: String {
        var t = TextTable(["pos", "token", "top-5 next tokens (logit)"], right: [0])
        // With a tokenizer, each id shows its token text (quoted, control characters escaped).
        func show(_ id: Int) -> String { tokenText[id].map { "\(id) \(quoted($0))" } ?? String(id) }
        for i in tokens.indices {
            let top = top(5, at: i).map { "\(show($0.token)) (\(Fmt.fixed(Double($0.logit), 3)))" }
            t.rows.append([String(i), show(tokens[i]), top.joined(separator: "  ")])
        }
        return t.render()
    }
}
