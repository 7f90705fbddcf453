import Foundation
import IngotFamilies
import IngotFormat
@testable import IngotKit
import IngotQuant
import IngotVerify
import Testing

/// `VerifyReport.html` / `writeHTML(to:)` (`ingot verify --report`): what the page must show, what it must never
/// contain, and how it is written. Reports are real ones: the llama fixture against its q4_0 conversion, on a short
/// text and a few prompts.
@Suite struct VerifyReportHTMLTests {
    static let text = "Weights are tensors; tensors are bytes. The converter reads them once.\n\n"
        + String(repeating: "A quantizer rounds each block of weights to four bits.\n", count: 8)
    static let prompts: [EvaluationPrompt] = [.text("The capital of France is"), .text("One, two, three,"), .text("Hello"),
                                              .text("Monday, Tuesday,")]

    /// The q4_0 candidate and a report on it, made once for the suite.
    static let decoder: Result<(report: VerifyReport, html: String, q4: String), any Error> = Result {
        let d = KitFixtures.tempDir()
        let q4 = d + "/q4.ingot"
        _ = try Converter.convert(ConvertRequest(source: KitFixtures.llama, output: q4, quantize: try QuantPolicy(dtype: .q4_0, groupSize: 32)))
        let report = try Verifier.verify(VerifyRequest(candidate: q4, reference: KitFixtures.llama, text: ("t", text),
                                                       prompts: prompts, context: 32, greedyTokens: 5))
        return (report, report.html, q4)
    }

    /// Occurrences of `needle` in `s`.
    static func count(_ needle: String, in s: String) -> Int { s.components(separatedBy: needle).count - 1 }

    @Test func theVerdictAndMetricsArePresent() throws {
        let (report, html, _) = try Self.decoder.get()
        let c = try #require(report.comparison)
        #expect(html.hasPrefix("<!doctype html>"))
        let word = report.verdict.pass ? "PASS" : "FAIL"
        #expect(html.contains("<span class=\"verdict \(word.lowercased())\">\(word)</span>"))
        for (name, value) in [("mean KLD", ReportNumber.num(c.meanKLD)), ("median KLD", ReportNumber.num(c.medianKLD)),
                              ("p99 KLD", ReportNumber.num(c.p99KLD)), ("max KLD", ReportNumber.num(c.maxKLD)),
                              ("same top token", ReportNumber.fixed(100 * c.sameTop1, 2) + "%"),
                              ("RMS Δp", ReportNumber.fixed(100 * c.rmsDeltaP, 3) + "%"), ("logit NMSE", ReportNumber.num(c.logitNMSE)),
                              ("max |Δ logit|", ReportNumber.num(c.maxAbsLogitDelta)), ("PPL reference", ReportNumber.num(c.referencePPL)),
                              ("PPL candidate", ReportNumber.num(c.candidatePPL)), ("PPL ratio", ReportNumber.fixed(c.pplRatio, 4))] {
            #expect(html.contains("<td>\(HTMLEscape.text(name))</td><td class=\"n\">\(value)</td>"), "\(name)")
        }
        #expect(html.contains("greedy agreement"))
        #expect(html.contains(HTMLEscape.text(report.limitsSummary)))
        #expect(html.contains(HTMLEscape.text(report.inputSummary)))
        for r in report.verdict.reasons { #expect(html.contains(HTMLEscape.text(r))) }
        #expect(html.contains(HTMLEscape.text(report.candidate)) && html.contains(HTMLEscape.text(report.reference)))
    }

    @Test func thereIsNoScriptAndNoURLButTheSVGNamespace() throws {
        let html = try Self.decoder.get().html
        #expect(!html.lowercased().contains("<script"))
        let parts = html.components(separatedBy: "http")
        #expect(parts.count > 1)
        #expect(parts.dropFirst().allSatisfy { $0.hasPrefix("://www.w3.org/2000/svg\"") })
        for needle in ["src=", "href=", "url(", "@import", "<link", "<img", "<iframe", "<object"] {
            #expect(!html.lowercased().contains(needle), "\(needle)")
        }
    }

    @Test func textFromOutsideAppearsOnlyEscaped() throws {
        let (_, _, q4) = try Self.decoder.get()
        let d = KitFixtures.tempDir()
        let hostilePath = d + "/<b>x\"&y.ingot"
        try FileManager.default.copyItem(atPath: q4, toPath: hostilePath)
        let hostile = "<script>alert(1)</script> x\"&y"
        let text = String(repeating: hostile + " weights are tensors.\n", count: 12)
        let r = try Verifier.verify(VerifyRequest(candidate: hostilePath, reference: KitFixtures.llama, text: ("<i>t</i>", text),
                                                  prompts: [.text(hostile)], context: 32, greedyTokens: 5))
        let html = r.html
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("alert(1)</"))
        #expect(!html.contains("x\"&y") && !html.contains("<b>") && !html.contains("<i>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; x&quot;&amp;y"))  // the prompt, whole
        #expect(html.contains("/&lt;b&gt;x&quot;&amp;y.ingot"))
        #expect(html.contains("&lt;i&gt;t&lt;/i&gt;"))
    }

    @Test func everyScoredPositionShownIsOneColouredToken() throws {
        let (report, html, _) = try Self.decoder.get()
        let t = try #require(report.textScores)
        #expect(t.tokens.count <= HTMLReport.defaultMaxTokens)
        #expect(Self.count("<span class=\"t c", in: html) == t.positions.count)
        // Marked where the two models' top tokens differ.
        let differ = t.positions.filter { $0.score.referenceTop != $0.score.candidateTop }.count
        #expect(Self.count(" d\" title=\"KLD ", in: html) == differ)
    }

    @Test func theTextIsCutAtItsTokenLimitAndSaysSo() throws {
        let (report, _, _) = try Self.decoder.get()
        let t = try #require(report.textScores)
        let limit = 40
        #expect(t.tokens.count > limit)
        let html = HTMLReport(report, maxTokens: limit).html
        let shown = t.positions.filter { $0.offset < limit }.count
        #expect(Self.count("<span class=\"t c", in: html) == shown)
        #expect(html.contains("showing the first 40 of \(ReportNumber.count(t.tokens.count)) tokens"))
    }

    @Test func theTextKeepsItsWhitespace() throws {
        let (report, html, _) = try Self.decoder.get()
        let t = try #require(report.textScores)
        let start = try #require(html.range(of: "<div class=\"text\">"))
        let end = try #require(html.range(of: "</div>", range: start.upperBound..<html.endIndex))
        let inner = String(html[start.upperBound..<end.lowerBound])
        let stripped = inner.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
        let text = stripped.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
        #expect(text == t.pieces.joined())
        #expect(text.contains("\n\n"))
        #expect(html.contains("white-space:pre-wrap"))
    }

    @Test func theFirstDivergenceOfEachDivergingPromptIsMarked() throws {
        let (report, html, _) = try Self.decoder.get()
        let g = try #require(report.greedy)
        let rows = html.components(separatedBy: "<tr class=\"gp\"").dropFirst().map { $0.components(separatedBy: "</tr>")[0] }
        #expect(rows.count == g.prompts.count)
        #expect(g.prompts.contains { $0.firstDivergence != nil })
        for (row, p) in zip(rows, g.prompts) {
            guard let d = p.firstDivergence else {
                #expect(row.contains("<span class=\"badge same\">identical</span>") && !row.contains("class=\"fd\""))
                continue
            }
            #expect(row.contains("data-first-divergence=\"\(d)\""))
            #expect(Self.count("<mark class=\"fd\"", in: row) == 2)
            for pieces in [p.referencePieces, p.candidatePieces] where d < pieces.count {
                let marked = ">" + HTMLEscape.text(pieces[d]) + "</mark>" + pieces.dropFirst(d + 1).map(HTMLEscape.text).joined() + "</span>"
                #expect(row.contains(marked))
            }
        }
    }

    @Test func theSQNRChartHasOneMarkPerComparedTensor() throws {
        let (report, html, _) = try Self.decoder.get()
        let compared = report.diff.rows.filter { $0.sqnrDB != nil }
        #expect(Self.count("<circle class=\"sq k-", in: html) == compared.count)
        for row in compared { #expect(html.contains("<title>" + HTMLEscape.text(row.name) + "\n")) }
        // The worst-tensor table: 16 rows at most.
        let table = try #require(html.components(separatedBy: "<table class=\"worst\">").last?.components(separatedBy: "</table>").first)
        #expect(Self.count("<tr><td class=\"n\">", in: table) == min(16, compared.count))
    }

    @Test func tensorNamesGiveTheLayerAndKind() {
        #expect(TensorRole(name: "model.layers.12.self_attn.q_proj.weight") == TensorRole(layer: 12, kind: .q))
        #expect(TensorRole(name: "transformer.h.3.mlp.c_proj.weight") == TensorRole(layer: 3, kind: .down))
        #expect(TensorRole(name: "transformer.h.3.attn.c_proj.weight") == TensorRole(layer: 3, kind: .o))
        #expect(TensorRole(name: "encoder.layer.5.attention.output.dense.weight") == TensorRole(layer: 5, kind: .o))
        #expect(TensorRole(name: "encoder.layer.5.output.dense.weight") == TensorRole(layer: 5, kind: .down))
        #expect(TensorRole(name: "blk.0.ffn_gate.weight") == TensorRole(layer: 0, kind: .gate))
        #expect(TensorRole(name: "model.embed_tokens.weight") == TensorRole(layer: nil, kind: .other))
        #expect(TensorRole(name: "model.layers.99999999999999999999.mlp.up_proj.weight").layer == nil)
    }

    @Test func anEncoderReportShowsItsCosinePerSentence() throws {
        let text = "Attention weights each token.\nA sentence about quantization.\n\nThe last line."
        let r = try Verifier.verify(VerifyRequest(candidate: KitFixtures.bert, reference: KitFixtures.bert, text: ("t", text)))
        let html = r.html
        let e = try #require({ if case let .encoder(e, _) = r.outcome { return e } else { return nil } }())
        #expect(e.cosines.count == 3)
        #expect(html.contains("Embedding cosine per sentence"))
        #expect(Self.count("<circle class=\"cs", in: html) == 3)
        #expect(html.contains("<span class=\"verdict pass\">PASS</span>"))
        #expect(html.contains("min embedding cosine") && html.contains("hidden-state NMSE"))
        #expect(!html.contains("id=\"kld\""))
    }

    @Test func writeHTMLReplacesAnExistingFileWithTheWholeReport() throws {
        let (report, html, _) = try Self.decoder.get()
        let d = KitFixtures.tempDir()
        let path = d + "/report.html"
        try "old report".write(toFile: path, atomically: false, encoding: .utf8)
        try report.writeHTML(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == html)
        #expect(try FileManager.default.contentsOfDirectory(atPath: d) == ["report.html"])
    }

    @Test func aFailedWriteLeavesNothingAndReplacesNothing() throws {
        let (report, _, _) = try Self.decoder.get()
        let d = KitFixtures.tempDir()
        #expect(throws: (any Error).self) { try report.writeHTML(to: d + "/missing/report.html") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: d).isEmpty)
        // A destination that is not a regular file is refused and left as it was.
        let dir = d + "/report.html"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        try "keep".write(toFile: dir + "/inside", atomically: false, encoding: .utf8)
        #expect(throws: (any Error).self) { try report.writeHTML(to: dir) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: d) == ["report.html"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["inside"])
    }
}
