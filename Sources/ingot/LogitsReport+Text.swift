import IngotKit

extension LogitsReport: Rendered {
    /// The five most likely next tokens after each position.
    var text: String {
        var t = TextTable(["pos", "token", "top-5 next tokens (logit)"], right: [0, 1])
        for i in tokens.indices {
            let top = top(5, at: i).map { "\($0.token) (\(Fmt.fixed(Double($0.logit), 3)))" }
            t.rows.append([String(i), String(tokens[i]), top.joined(separator: "  ")])
        }
        return t.render()
    }
}
