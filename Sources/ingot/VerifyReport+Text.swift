import IngotKit
import IngotVerify

extension VerifyReport: Rendered {
    /// The metrics, the worst tensors, what only one side has, and the verdict with the limits it was judged by.
    var text: String {
        var t = TextTable(["metric", "value"], right: [1])
        t.rows = metricRows
        var w = TextTable(["worst tensors", "reference", "candidate", "SQNR dB", "max |err|", "cosine"], right: [3, 4, 5])
        for r in diff.worst.prefix(8) {
            w.rows.append([r.name, r.a?.typeName ?? "-", r.b?.typeName ?? "-"] + DiffReport.figures(r))
        }
        var lines = ["verify \(candidate) against \(reference): \(inputSummary)", t.render()]
        if let g = greedy {
            var gt = TextTable(["greedy prompt", "tokens", "first divergence"], right: [1, 2])
            for p in g.prompts {
                let label = p.label.count > 48 ? String(p.label.prefix(47)) + "…" : p.label
                gt.rows.append([label.split(separator: "\n").joined(separator: " "), String(p.reference.count),
                                p.firstDivergence.map(String.init) ?? "identical"])
            }
            lines += ["", gt.render(), "greedy agreement: \(Fmt.fixed(100 * g.agreement, 1))% of \(g.prompts.count) prompts identical over up to \(g.maxTokens) tokens"]
        }
        lines += ["", w.render()]
        for r in diff.onlyInA { lines.append("only in the reference: \(r.name)") }
        for r in diff.onlyInB { lines.append("only in the candidate: \(r.name)") }
        for r in diff.rows where r.a != nil && r.b != nil && r.sqnrDB == nil {
            lines.append("shape differs: \(r.name) \(Fmt.shape(r.a?.shape ?? [])) vs \(Fmt.shape(r.b?.shape ?? []))")
        }
        lines.append("")
        lines.append((verdict.pass ? "PASS" : "FAIL") + " — " + limitsSummary + (verdict.reasons.isEmpty ? "" : ": " + verdict.reasons.joined(separator: "; ")))
        return lines.joined(separator: "\n")
    }
}
