import IngotVerify

/// The report's figures as words, shared by the CLI's text and the HTML report so both say the same thing.
extension VerifyReport {
    /// What ran: the text's windows, the prompts, the token sequences.
    public var inputSummary: String {
        var parts: [String] = []
        if let t = textScores {
            parts.append("\(t.source): \(t.tokens.count) tokens, \(t.windows) window\(t.windows == 1 ? "" : "s") of \(t.context), \(t.positions.count) positions scored")
        }
        if let g = greedy { parts.append("\(g.prompts.count) prompts") }
        let extra = sequences.count - (textScores?.windows ?? 0)
        if extra > 0 { parts.append("\(extra) token sequence\(extra == 1 ? "" : "s")") }
        return parts.joined(separator: "; ")
    }

    /// The limits the verdict was judged by, and why these (the dtype the defaults were chosen for, or "given").
    public var limitsSummary: String {
        switch outcome {
        case let .decoder(_, th):
            return th.requireIdentical ? "identical logits (all tensors identical)"
                : "mean KLD ≤ \(th.maxMeanKLD), same top token ≥ \(ReportNumber.fixed(100 * th.minTop1, 1))% (\(th.basis))"
        case let .encoder(_, th):
            return th.requireIdentical ? "identical hidden states (all tensors identical)"
                : "min cosine ≥ \(th.minCosine), hidden NMSE ≤ \(th.maxHiddenNMSE) (\(th.basis))"
        }
    }

    /// The metrics table: (name, value) rows, decoder or encoder.
    public var metricRows: [[String]] {
        switch outcome {
        case let .decoder(c, _): return Self.rows(c)
        case let .encoder(e, _): return [
            ["sequences", String(e.sequences)], ["positions", String(e.positions)],
            ["mean embedding cosine", ReportNumber.fixed(e.meanCosine, 6)], ["min embedding cosine", ReportNumber.fixed(e.minCosine, 6)],
            ["hidden-state NMSE", ReportNumber.num(e.hiddenNMSE)], ["max |Δ hidden|", ReportNumber.num(e.maxAbsHiddenDelta)],
        ]
        }
    }

    static func rows(_ c: LogitComparison) -> [[String]] {
        [
            ["positions", String(c.positions)],
            ["mean KLD", ReportNumber.num(c.meanKLD)], ["median KLD", ReportNumber.num(c.medianKLD)],
            ["p99 KLD", ReportNumber.num(c.p99KLD)], ["max KLD", ReportNumber.num(c.maxKLD)],
            ["same top token", ReportNumber.fixed(100 * c.sameTop1, 2) + "%"], ["RMS Δp", ReportNumber.fixed(100 * c.rmsDeltaP, 3) + "%"],
            ["logit NMSE", ReportNumber.num(c.logitNMSE)], ["max |Δ logit|", ReportNumber.num(c.maxAbsLogitDelta)],
            ["PPL reference", ReportNumber.num(c.referencePPL)], ["PPL candidate", ReportNumber.num(c.candidatePPL)],
            ["PPL ratio", ReportNumber.fixed(c.pplRatio, 4)],
        ]
    }
}
