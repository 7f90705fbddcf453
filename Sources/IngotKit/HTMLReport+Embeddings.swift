import IngotVerify

/// An encoder's cosine per sentence: the figure retrieval depends on, one mark per sentence against the limit.
extension HTMLReport {
    func cosineSection(_ e: EmbeddingComparison, _ t: EncoderThresholds) -> String {
        guard !e.cosines.isEmpty else { return Self.section("cosine", "Embedding cosine per sentence", note: "No sentences.", "") }
        let limit = t.requireIdentical ? nil : t.minCosine
        let note = "Cosine of each sentence's pooled embedding (the reference's pooling), candidate against reference, in "
            + "input order: mean \(ReportNumber.fixed(e.meanCosine, 6)), min \(ReportNumber.fixed(e.minCosine, 6))"
            + (limit.map { "; the dashed line is the limit \($0)" } ?? "") + "."
        return Self.section("cosine", "Embedding cosine per sentence", note: HTMLEscape.text(note), cosineChart(e.cosines, limit: limit))
    }

    /// y from just below the lowest cosine (or the limit) to 1, so differences in the sixth decimal stay visible.
    func cosineChart(_ cosines: [Double], limit: Double?) -> String {
        let finite = cosines.filter(\.isFinite)
        var lo = min(finite.min() ?? 1, limit ?? 1)
        if lo >= 1 { lo = 1 - 1e-6 }
        let span = 1 - lo
        lo -= span * 0.15
        let hi = 1 + span * 0.05
        var s = SVGChart(height: 240, left: 78, top: 12, bottom: 42)
        let y = SVGScale(kind: .linear, lo: lo, hi: hi, from: s.bottom, to: s.top)
        let ticks = SVGScale.niceTicks(lo, hi, count: 5)
        s.yTicks(y, ticks.values.map { ($0, ReportNumber.fixed($0, ticks.digits)) })
        let step = s.plotWidth / Double(cosines.count)
        if let limit { s.line(s.left, y(limit), s.right, y(limit), class: "lim") }
        let r = step < 6 ? 2.0 : 3.5
        for (i, c) in cosines.enumerated() {
            let low = limit.map { !(c >= $0) } ?? false
            s.circle(s.left + (Double(i) + 0.5) * step, y(c.isNaN ? lo : c), r: r, class: low ? "cs low" : "cs",
                     title: "sentence \(i + 1): cosine \(ReportNumber.fixed(c, 6))")
        }
        for v in SVGScale.niceTicks(1, Double(cosines.count), count: 10).values where v >= 1 && v <= Double(cosines.count) {
            s.text(s.left + (v - 0.5) * step, s.bottom + 15, String(Int(v)), anchor: .middle, class: "tl")
        }
        s.axes()
        s.xTitle("sentence")
        s.yTitle("cosine")
        return s.svg(label: "Embedding cosine per sentence")
    }
}
