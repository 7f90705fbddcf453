import IngotKit
import IngotVerify

extension VerifyReport: Rendered {
    /// The metrics, the worst tensors, what only one side has, and the verdict with the limits it was judged by.
    var text: String {
        var t = TextTable(["metric", "value"], right: [1])
        let limits: String
        switch outcome {
        case let .decoder(c, th):
            t.rows = Self.rows(c)
            limits = th.requireIdentical ? "identical logits (all tensors identical)"
                : "mean KLD ≤ \(th.maxMeanKLD), same top token ≥ \(Fmt.fixed(100 * th.minTop1, 1))% (\(th.basis))"
        case let .encoder(e, th):
            t.rows = [
                ["sequences", String(e.sequences)], ["positions", String(e.positions)],
                ["mean embedding cosine", Fmt.fixed(e.meanCosine, 6)], ["min embedding cosine", Fmt.fixed(e.minCosine, 6)],
                ["hidden-state NMSE", Fmt.num(e.hiddenNMSE)], ["max |Δ hidden|", Fmt.num(e.maxAbsHiddenDelta)],
            ]
            limits = th.requireIdentical ? "identical hidden states (all tensors identical)"
                : "min cosine ≥ \(th.minCosine), hidden NMSE ≤ \(th.maxHiddenNMSE) (\(th.basis))"
        }
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
        lines.append((verdict.pass ? "PASS" : "FAIL") + " — " + limits + (verdict.reasons.isEmpty ? "" : ": " + verdict.reasons.joined(separator: "; ")))
        return lines.joined(separator: "\n")
    }

    /// What ran: the text's windows, the prompts, the token sequences.
    var inputSummary: String {
        var parts: [String] = []
        if let t = textScores {
            parts.append("\(t.source): \(t.tokens.count) tokens, \(t.windows) window\(t.windows == 1 ? "" : "s") of \(t.context), \(t.positions.count) positions scored")
        }
        if let g = greedy { parts.append("\(g.prompts.count) prompts") }
        let extra = sequences.count - (textScores?.windows ?? 0)
        if extra > 0 { parts.append("\(extra) token sequence\(extra == 1 ? "" : "s")") }
        return parts.joined(separator: "; ")
    }

    static func rows(_ c: LogitComparison) -> [[String]] {
        [
            ["positions", String(c.positions)],
            ["mean KLD", Fmt.num(c.meanKLD)], ["median KLD", Fmt.num(c.medianKLD)],
            ["p99 KLD", Fmt.num(c.p99KLD)], ["max KLD", Fmt.num(c.maxKLD)],
            ["same top token", Fmt.fixed(100 * c.sameTop1, 2) + "%"], ["RMS Δp", Fmt.fixed(100 * c.rmsDeltaP, 3) + "%"],
            ["logit NMSE", Fmt.num(c.logitNMSE)], ["max |Δ logit|", Fmt.num(c.maxAbsLogitDelta)],
            ["PPL reference", Fmt.num(c.referencePPL)], ["PPL candidate", Fmt.num(c.candidatePPL)],
            ["PPL ratio", Fmt.fixed(c.pplRatio, 4)],
        ]
    }
}
