import IngotFamilies
import IngotVerify

/// The HTML page of a verification (`ingot verify --report`): one self-contained UTF-8 file — inline CSS and SVG,
/// no script, no font, image or stylesheet fetched from anywhere — that can be attached to a ticket or a model card
/// and opened years later. Sections: the verdict and metrics; KL divergence per scored position and its histogram
/// (decoders) or the cosine per sentence (encoders); SQNR per tensor by layer with the worst tensors; the evaluation
/// text coloured by KL divergence; the greedy continuations side by side.
///
/// Every string that came from outside (paths, prompts, token pieces, tensor names) goes through `HTMLEscape`.
public struct HTMLReport: Sendable {
    /// Tokens of the evaluation text shown by default: enough to read (a dozen screens), small enough that the page
    /// stays around a megabyte.
    public static let defaultMaxTokens = 6000

    public let report: VerifyReport
    /// At most this many tokens of the evaluation text are shown (the rest is counted, not drawn).
    public let maxTokens: Int

    public init(_ report: VerifyReport, maxTokens: Int = HTMLReport.defaultMaxTokens) {
        self.report = report
        self.maxTokens = max(0, maxTokens)
    }

    /// The whole page.
    public var html: String {
        var sections = [header]
        switch report.outcome {
        case let .decoder(c, t): sections.append(kldSection(c, t))
        case let .encoder(e, t): sections.append(cosineSection(e, t))
        }
        sections.append(tensorSection)
        if let t = report.textScores { sections.append(textSection(t)) }
        if let g = report.greedy { sections.append(greedySection(g)) }
        let title = "ingot verify: " + verdictWord + " — " + HTMLReport.basename(report.candidate)
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<title>" + HTMLEscape.text(title) + "</title><style>" + Self.css + "</style></head>\n<body><main>\n"
            + sections.joined(separator: "\n")
            + "\n<footer>ingot \(IngotVersion.string) · one self-contained file: inline CSS and SVG, no scripts, nothing fetched</footer>\n"
            + "</main></body></html>\n"
    }

    var verdictWord: String { report.verdict.pass ? "PASS" : "FAIL" }

    static func basename(_ path: String) -> String {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        return trimmed.split(separator: "/").last.map(String.init) ?? path
    }

    /// Escaped, cut to `limit` characters.
    static func esc(_ s: String, limit: Int = 4096) -> String { HTMLEscape.text(HTMLEscape.cut(s, limit)) }

    // MARK: header

    /// The verdict, what was compared against what and on which inputs, the limits and why they failed, and the
    /// metrics table (the rows the CLI prints, with the limit each judged one is held to).
    var header: String {
        let r = report
        var h = "<header class=\"card head\"><div>"
        h += "<div class=\"vline\"><span class=\"verdict \(r.verdict.pass ? "pass" : "fail")\">\(verdictWord)</span>"
        h += "<span class=\"kind\">ingot verify · \(r.comparison == nil ? "encoder" : "decoder")</span></div>"
        h += "<dl class=\"kv\">"
        h += "<dt>candidate</dt><dd><code>" + Self.esc(r.candidate) + "</code></dd>"
        h += "<dt>reference</dt><dd><code>" + Self.esc(r.reference) + "</code></dd>"
        h += "<dt>inputs</dt><dd>" + Self.esc(r.inputSummary.isEmpty ? "-" : r.inputSummary) + "</dd>"
        h += "<dt>limits</dt><dd>" + Self.esc(limitsText) + "</dd>"
        h += "<dt>basis</dt><dd>" + Self.esc(basisText) + "</dd>"
        h += "</dl>"
        if r.verdict.reasons.isEmpty {
            h += "<p class=\"ok\">All limits met.</p>"
        } else {
            h += "<p class=\"bad\">Failed because:</p><ul class=\"reasons\">"
            h += r.verdict.reasons.map { "<li>" + Self.esc($0) + "</li>" }.joined()
            h += "</ul>"
        }
        if !r.warnings.isEmpty {
            h += "<ul class=\"warnings\">" + r.warnings.map { "<li>warning: " + Self.esc($0) + "</li>" }.joined() + "</ul>"
        }
        h += "</div><div>" + metricsTable + "</div></header>"
        return h
    }

    /// `limitsSummary` plus the greedy limit, which only prompts runs with `--min-greedy` have.
    var limitsText: String {
        guard let g = report.thresholds?.minGreedy else { return report.limitsSummary }
        return report.limitsSummary + "; greedy agreement ≥ " + ReportNumber.percent(g, 1)
    }

    var basisText: String {
        let basis: String
        switch report.outcome {
        case let .decoder(_, t): basis = t.basis
        case let .encoder(_, t): basis = t.basis
        }
        switch basis {
        case "given": return "given on the command line"
        case "identical tensors": return "every tensor is bit-identical to the reference, so the outputs must be too"
        default: return "defaults for the candidate's lowest-precision weight type, \(basis)"
        }
    }

    /// The CLI's metric rows, then greedy agreement; the judged rows carry their limit, green when met, red when not.
    var metricsTable: String {
        var limits: [String: (String, Bool)] = [:]
        var extra: [[String]] = []
        switch report.outcome {
        case let .decoder(c, t):
            if t.requireIdentical {
                extra.append(["identical logits", c.identical ? "yes" : "no"])
                limits["identical logits"] = ("required", c.identical)
            } else {
                limits["mean KLD"] = ("≤ \(t.maxMeanKLD)", c.meanKLD <= t.maxMeanKLD)
                limits["same top token"] = ("≥ " + ReportNumber.percent(t.minTop1, 1), c.sameTop1 >= t.minTop1)
            }
            if let g = report.greedy {
                let same = g.prompts.filter { $0.firstDivergence == nil }.count
                extra.append(["greedy agreement", ReportNumber.percent(g.agreement, 1) + " (\(same) of \(g.prompts.count))"])
                if let m = t.minGreedy { limits["greedy agreement"] = ("≥ " + ReportNumber.percent(m, 1), g.agreement >= m) }
            }
        case let .encoder(e, t):
            if t.requireIdentical {
                extra.append(["identical hidden states", e.identical ? "yes" : "no"])
                limits["identical hidden states"] = ("required", e.identical)
            } else {
                limits["min embedding cosine"] = ("≥ \(t.minCosine)", e.minCosine >= t.minCosine)
                limits["hidden-state NMSE"] = ("≤ \(t.maxHiddenNMSE)", e.hiddenNMSE <= t.maxHiddenNMSE)
            }
        }
        var s = "<table class=\"metrics\"><thead><tr><th>metric</th><th class=\"n\">value</th><th class=\"n\">limit</th></tr></thead><tbody>"
        for row in report.metricRows + extra {
            let (name, value) = (row[0], row.count > 1 ? row[1] : "")
            let lim = limits[name]
            let cls = lim.map { $0.1 ? " class=\"ok\"" : " class=\"bad\"" } ?? ""
            s += "<tr\(cls)><td>" + Self.esc(name) + "</td><td class=\"n\">" + Self.esc(value) + "</td><td class=\"n\">"
                + Self.esc(lim?.0 ?? "") + "</td></tr>"
        }
        return s + "</tbody></table>"
    }

    /// A section with a heading and an optional explanation under it. `note` and `body` are markup already (their
    /// outside text escaped by the caller); `title` is plain text.
    static func section(_ id: String, _ title: String, note: String? = nil, _ body: String) -> String {
        "<section class=\"card\" id=\"\(id)\"><h2>" + HTMLEscape.text(title) + "</h2>"
            + (note.map { "<p class=\"note\">" + $0 + "</p>" } ?? "") + body + "</section>"
    }

    // MARK: style

    /// Kinds of tensor and their colours (SVG fill and legend swatch share the class).
    static let kindColors: [(TensorRole.Kind, String)] = [
        (.q, "#4e79a7"), (.k, "#f28e2b"), (.v, "#e15759"), (.o, "#76b7b2"),
        (.gate, "#59a14f"), (.up, "#d4a92a"), (.down, "#b07aa1"), (.other, "#8c8c8c"),
    ]

    /// KL divergence classes of the text colouring: upper bounds (the last class is everything above), colours
    /// from "no visible change" to "a different distribution".
    static let kldClasses: [(upper: Double, color: String)] = [
        (1e-4, "#e8f5e9"), (1e-3, "#fbf5c0"), (1e-2, "#ffe08a"), (1e-1, "#ffb36b"), (1, "#ff7a59"), (.infinity, "#c62828"),
    ]

    /// Index into `kldClasses`; NaN lands in the last class (a NaN is as bad as it gets).
    static func kldClass(_ kld: Double) -> Int {
        for (i, c) in kldClasses.enumerated() where kld < c.upper { return i }
        return kldClasses.count - 1
    }

    static let css: String = {
        var s = """
        body{margin:0;background:#f4f5f7;color:#1d232b;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
        main{max-width:1160px;margin:0 auto;padding:16px 20px}
        .card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:14px 18px;margin:0 0 14px}
        h2{font-size:16px;margin:0 0 6px}
        .note{color:#5b6573;margin:0 0 8px;font-size:13px}
        code,.mono,.text,.cont{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px}
        .head{display:grid;grid-template-columns:minmax(0,1fr) 380px;gap:24px}
        .vline{display:flex;align-items:center;gap:14px}
        .verdict{font-size:40px;font-weight:800;letter-spacing:.05em;padding:0 18px;border-radius:8px;color:#fff}
        .verdict.pass{background:#1e8e3e}.verdict.fail{background:#c5221f}
        .kind{color:#5b6573}
        dl.kv{display:grid;grid-template-columns:80px minmax(0,1fr);gap:3px 12px;margin:12px 0 8px}
        dt{color:#5b6573}dd{margin:0;overflow-wrap:anywhere}
        table{border-collapse:collapse;width:100%}
        th,td{padding:3px 8px;border-bottom:1px solid #eceff3;text-align:left;vertical-align:top}
        th{font-weight:600;color:#3c4652;background:#f8f9fb}
        .n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        .ok{color:#1e7e34}.bad{color:#c5221f;font-weight:600}
        tr.ok td:first-child,tr.bad td:first-child{font-weight:600}
        .reasons{margin:4px 0;padding-left:20px;color:#c5221f}
        .warnings{margin:4px 0;padding-left:20px;color:#9a6700}
        p{margin:6px 0}
        svg{width:100%;height:auto;display:block}
        svg text{font-family:inherit}
        svg .ax{stroke:#7a8491}svg .gr{stroke:#eceff3}svg .ws{stroke:#b9c0ca;stroke-dasharray:2 3}
        svg .tl{font-size:11px;fill:#5b6573}svg .at{font-size:12px;fill:#3c4652}svg .lb{font-size:11px;fill:#3c4652}
        svg .spike{stroke:#e8590c;stroke-width:1.1;fill:none;opacity:.85}
        svg .mean{stroke:#1d232b;stroke-width:1.2}svg .lim{stroke:#c5221f;stroke-width:1.2;stroke-dasharray:6 4}svg .lim-l{fill:#c5221f}
        svg .bar{fill:#f4a261}svg .bar0{fill:#b8d8be}svg .band{fill:#f1f8f2}svg .col{stroke:#f1f2f4}
        svg .sq{stroke:#fff;stroke-width:.6}svg .cs{fill:#4e79a7}svg .cs.low{fill:#c5221f}
        .legend{display:flex;flex-wrap:wrap;gap:4px 14px;align-items:center;font-size:12px;color:#3c4652;margin:4px 0 8px}
        .sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-2px}
        .chip{padding:0 6px;border-radius:3px;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
        .text{white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.75;max-height:560px;overflow:auto;border:1px solid #eceff3;border-radius:6px;padding:8px 10px}
        .text .u{color:#9aa1ab}
        .t{border-radius:2px}
        .d{box-shadow:inset 0 -2px 0 #1c3faa}
        .worst td.name{overflow-wrap:anywhere}
        .greedy td{padding:6px 8px}
        .cont{white-space:pre-wrap;overflow-wrap:anywhere}
        .prompt{white-space:pre-wrap;overflow-wrap:anywhere;color:#3c4652}
        .dv{background:#fde7e4}
        mark.fd{background:#f28b82;color:#1d232b;border-radius:2px;outline:1px solid #c5221f}
        .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
        .badge.same{background:#e6f4ea;color:#1e7e34}.badge.diff{background:#fce8e6;color:#c5221f}
        footer{color:#7a8491;font-size:12px;text-align:center;margin:8px 0 20px}

        """
        for (kind, color) in kindColors { s += ".k-\(kind.rawValue){fill:\(color);background:\(color)}\n" }
        for (i, c) in kldClasses.enumerated() {
            s += ".c\(i){background:\(c.color)\(i == kldClasses.count - 1 ? ";color:#fff" : "")}\n"
        }
        return s
    }()
}
