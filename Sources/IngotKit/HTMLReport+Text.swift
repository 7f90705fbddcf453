import IngotVerify
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The evaluation text coloured by KL divergence, and the greedy continuations side by side: what the numbers above
/// mean on actual words.
extension HTMLReport {
    /// Tokens as the reference's tokenizer cut the text, each scored token's background set by its KLD class; the
    /// unscored context of each window in grey; an underline where the two models' most likely next token differ.
    /// Each scored token's tooltip gives its KLD, both models' top tokens and both models' probability of it.
    func textSection(_ t: TextScores) -> String {
        let shown = min(t.tokens.count, t.pieces.count, maxTokens)
        let positions = t.positions.filter { $0.offset < shown }.sorted { $0.offset < $1.offset }
        var body = kldLegend
        body += "<div class=\"text\">"
        var next = 0
        var grey = ""
        func flushGrey() {
            if !grey.isEmpty { body += "<span class=\"u\">" + grey + "</span>"; grey = "" }
        }
        for i in 0..<shown {
            while next < positions.count, positions[next].offset < i { next += 1 }
            let piece = HTMLEscape.text(t.pieces[i])
            guard next < positions.count, positions[next].offset == i else { grey += piece; continue }
            flushGrey()
            let p = positions[next].score
            var cls = "t c\(Self.kldClass(p.kld))"
            if p.referenceTop != p.candidateTop { cls += " d" }
            body += "<span class=\"\(cls)\" title=\"" + tokenTitle(p, t) + "\">" + piece + "</span>"
            next += 1
        }
        flushGrey()
        body += "</div>"
        var note = "\(HTMLEscape.text(t.source)): \(ReportNumber.count(t.tokens.count)) tokens, \(ReportNumber.count(t.positions.count)) scored"
        if shown < t.tokens.count {
            note += "; showing the first \(ReportNumber.count(shown)) of \(ReportNumber.count(t.tokens.count)) tokens "
                + "(\(ReportNumber.count(positions.count)) of \(ReportNumber.count(t.positions.count)) scored positions)"
        }
        note += ". Hover a token for its KLD, both models' most likely token and their probability of this one."
        return Self.section("text", "Evaluation text by KL divergence", note: note, body)
    }

    /// The colour scale and the marks, in the text's own style.
    var kldLegend: String {
        var s = "<div class=\"legend\"><span>KLD:</span>"
        var lower = "0"
        for (i, c) in Self.kldClasses.enumerated() {
            let range = c.upper.isFinite ? "\(lower)–\(Self.decade(c.upper))" : "≥ \(lower)"
            s += "<span class=\"chip c\(i)\">" + HTMLEscape.text(range) + "</span>"
            if c.upper.isFinite { lower = Self.decade(c.upper) }
        }
        s += "<span class=\"chip d\">top tokens differ</span><span class=\"chip u\" style=\"color:#9aa1ab\">context (not scored)</span>"
        return s + "</div>"
    }

    func tokenTitle(_ p: LogitComparison.PositionScore, _ t: TextScores) -> String {
        func top(_ id: Int) -> String { HTMLEscape.quotedToken(t.topTokenText[id] ?? "#\(id)") }
        var s = "KLD " + ReportNumber.num(p.kld) + "\nreference top: " + top(p.referenceTop)
        s += p.referenceTop == p.candidateTop ? " (same for the candidate)" : "\ncandidate top: " + top(p.candidateTop)
        if let r = p.referenceLogProb, let c = p.candidateLogProb {
            s += "\np(this token): reference " + ReportNumber.fixed(exp(r), 4) + ", candidate " + ReportNumber.fixed(exp(c), 4)
        }
        return s
    }

    /// One row per prompt: the prompt, both continuations (the text each generated token adds), and whether they
    /// agree. From the first diverging token on, both continuations are highlighted; that token itself is marked.
    func greedySection(_ g: GreedyAgreement) -> String {
        let same = g.prompts.filter { $0.firstDivergence == nil }.count
        let note = "Both models continue each prompt greedily for up to \(g.maxTokens) tokens: \(same) of \(g.prompts.count) "
            + "continuations identical (\(ReportNumber.percent(g.agreement, 1))). Highlighted: from the first token where they part (first divergence: its index among the generated tokens, from 0)."
        var s = "<table class=\"greedy\"><thead><tr><th style=\"width:22%\">prompt</th><th style=\"width:34%\">reference</th>"
            + "<th style=\"width:34%\">candidate</th><th>agreement</th></tr></thead><tbody>"
        for (i, p) in g.prompts.enumerated() {
            let d = p.firstDivergence
            s += "<tr class=\"gp\" id=\"prompt-\(i + 1)\"" + (d.map { " data-first-divergence=\"\($0)\"" } ?? "") + ">"
            s += "<td class=\"prompt\">" + Self.esc(p.label, limit: 600) + "</td>"
            s += "<td class=\"cont\">" + Self.continuation(p.referencePieces, divergence: d) + "</td>"
            s += "<td class=\"cont\">" + Self.continuation(p.candidatePieces, divergence: d) + "</td>"
            s += "<td>" + (d.map { "<span class=\"badge diff\">first divergence \($0)</span>" } ?? "<span class=\"badge same\">identical</span>")
                + "<br><span class=\"note\">\(p.reference.count) / \(p.candidate.count) tokens</span></td></tr>"
        }
        s += "</tbody></table>"
        return Self.section("greedy", "Greedy continuations", note: HTMLEscape.text(note), s)
    }

    /// The pieces, with everything from `divergence` on in a highlight and the diverging piece marked; a side that
    /// stopped before the divergence point gets a marked "(ended)".
    static func continuation(_ pieces: [String], divergence: Int?) -> String {
        guard let d = divergence else { return pieces.map { HTMLEscape.text($0) }.joined() }
        var s = pieces.prefix(d).map { HTMLEscape.text($0) }.joined()
        s += "<span class=\"dv\">"
        if d < pieces.count {
            s += "<mark class=\"fd\" title=\"first divergence: generated token \(d) (from 0)\">" + HTMLEscape.text(pieces[d]) + "</mark>"
            s += pieces.dropFirst(d + 1).map { HTMLEscape.text($0) }.joined()
        } else {
            s += "<mark class=\"fd\" title=\"first divergence: this side stopped\">(ended)</mark>"
        }
        return s + "</span>"
    }
}
