import IngotVerify
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The decoder's KL divergence, per scored position of the evaluation text: a spike chart in stream order and a
/// histogram. Both use one log scale, since KLD spans six decades between a rounding error and a wrong token.
extension HTMLReport {
    func kldSection(_ c: LogitComparison, _ t: Thresholds) -> String {
        guard let scores = report.textScores, !scores.positions.isEmpty else {
            return Self.section("kld", "KL divergence per token",
                                note: "Per-position scores are kept for an evaluation text (--text, or the default set); this run had none. Mean \(ReportNumber.num(c.meanKLD)) over \(c.positions) positions.", "")
        }
        let klds = scores.positions.map(\.score.kld)
        let limit = t.requireIdentical ? nil : t.maxMeanKLD
        let (lo, hi) = Self.kldRange(klds, extra: [limit ?? 0, c.meanKLD])
        let note = "KL(reference ‖ candidate) of the next-token distributions at each of the \(ReportNumber.count(klds.count)) "
            + "scored positions (the second half of each of the \(scores.windows) windows of \(scores.context) tokens), in "
            + "stream order; dotted lines separate windows. Log scale, values below \(Self.decade(lo)) drawn at the axis."
        return Self.section("kld", "KL divergence per token", note: HTMLEscape.text(note),
                            kldChart(scores, klds, lo: lo, hi: hi, mean: c.meanKLD, limit: limit)
                                + "<h2>Distribution</h2>" + kldHistogram(klds, lo: lo, hi: hi))
    }

    /// Whole decades around the data: from the decade of the smallest positive KLD (not below 1e-6: smaller
    /// differences are float rounding) to the decade above the largest, at least two decades.
    static func kldRange(_ klds: [Double], extra: [Double]) -> (Double, Double) {
        let positive = klds.filter { $0 > 0 && $0.isFinite }
        let top = (klds + extra).filter { $0.isFinite }.max() ?? 0
        let loExp = max(-6, Int(log10(positive.min() ?? 1e-6).rounded(.down)))
        let hiExp = max(loExp + 2, top > 0 ? Int(log10(top).rounded(.up)) : loExp + 2)
        return (SVGScale.pow10(loExp), SVGScale.pow10(min(hiExp, loExp + 12)))
    }

    /// "1e-5", "0.001", "0.1", "1", "10", "1e3": short labels for powers of ten.
    static func decade(_ v: Double) -> String {
        guard v > 0, v.isFinite else { return ReportNumber.num(v) }
        let e = Int(log10(v).rounded())
        if e >= -3 && e < 0 { return ReportNumber.fixed(v, -e) }
        if e >= 0 && e < 3 { return String(Int(SVGScale.pow10(e))) }
        return "1e\(e)"
    }

    func kldChart(_ scores: TextScores, _ klds: [Double], lo: Double, hi: Double, mean: Double, limit: Double?) -> String {
        var s = SVGChart(height: 270, left: 56, top: 12, right: 118, bottom: 42)
        let y = SVGScale(kind: .log, lo: lo, hi: hi, from: s.bottom, to: s.top)
        var ticks: [(Double, String)] = []
        var e = Int(log10(lo).rounded())
        while SVGScale.pow10(e) <= hi * 1.0001 { ticks.append((SVGScale.pow10(e), Self.decade(SVGScale.pow10(e)))); e += 1 }
        s.yTicks(y, ticks)
        let n = klds.count
        let step = s.plotWidth / Double(n)
        // Windows: a faint line where one ends and the next begins (more than one every 6 px would only grey the plot).
        if Double(scores.windows) <= s.plotWidth / 6 {
            for i in 1..<max(1, n) where scores.positions[i].window != scores.positions[i - 1].window {
                s.line(s.left + Double(i) * step, s.top, s.left + Double(i) * step, s.bottom, class: "ws")
            }
        }
        // Each pixel column shows the range (lowest to highest KLD) of the positions that fall in it, as a short
        // vertical stroke; a column of one position is a dot-like tick at its value. Spikes from the axis would fill
        // a log-scale plot solid; ranges keep both the typical level and the worst positions visible.
        let columns = min(n, Int(s.plotWidth))
        var d = ""
        d.reserveCapacity(columns * 28)
        for col in 0..<columns {
            let a = col * n / columns, b = max(a + 1, (col + 1) * n / columns)
            var low = Double.infinity, high = 0.0
            for i in a..<b {
                let v = klds[i].isNaN ? Double.infinity : klds[i]
                low = min(low, v)
                high = max(high, v)
            }
            let x = s.left + (Double(a) + Double(b - a) / 2) * step
            let (y1, y2) = (y(high), y(low))
            d += "M" + SVGChart.c(x) + " " + SVGChart.c(max(s.top, y1 - 1.2)) + "V" + SVGChart.c(min(s.bottom, y2 + 1.2))
        }
        if !d.isEmpty { s.path(d, class: "spike") }
        s.line(s.left, y(mean), s.right, y(mean), class: "mean")
        // Labels in the right margin, clear of the spikes; nudged apart when the mean sits on the limit.
        var meanY = y(mean) + 4
        if let limit, limit > 0 {
            s.line(s.left, y(limit), s.right, y(limit), class: "lim")
            s.text(s.right + 6, y(limit) + 4, "limit \(limit)", class: "lb lim-l")
            if abs(meanY - (y(limit) + 4)) < 12 { meanY = y(limit) + 4 + (mean > limit ? -12 : 12) }
        }
        s.text(s.right + 6, meanY, "mean " + ReportNumber.num(mean), class: "lb")
        for v in SVGScale.niceTicks(0, Double(n), count: 10).values where v < Double(n) {
            s.text(s.left + v * step, s.bottom + 15, ReportNumber.count(Int(v)), anchor: .middle, class: "tl")
        }
        s.axes()
        let per = Double(n) / Double(columns)
        s.xTitle(columns < n ? "scored position (each stroke: the lowest to highest KLD of about \(ReportNumber.fixed(per, per >= 9.95 ? 0 : 1)) positions)"
                             : "scored position")
        s.yTitle("KLD")
        return s.svg(label: "KL divergence per scored position")
    }

    /// Counts in bins of half a decade, plus one bin for the values below the scale (zero included); each bar is
    /// labelled with its count.
    func kldHistogram(_ klds: [Double], lo: Double, hi: Double) -> String {
        let loE = log10(lo), hiE = log10(hi)
        let binsPerDecade = 2.0
        let nb = Int(((hiE - loE) * binsPerDecade).rounded())
        var counts = [Int](repeating: 0, count: nb + 1)
        for k in klds {
            if k.isNaN || k >= hi { counts[nb] += 1; continue }
            if !(k >= lo) { counts[0] += 1; continue }
            counts[min(nb, 1 + Int((log10(k) - loE) * binsPerDecade))] += 1
        }
        var s = SVGChart(height: 220, left: 56, top: 18, bottom: 42)
        let maxCount = counts.max() ?? 0
        let ticks = SVGScale.niceTicks(0, Double(max(1, maxCount)), count: 4)
        let y = SVGScale(kind: .linear, lo: 0, hi: max(Double(max(1, maxCount)), ticks.values.last ?? 1), from: s.bottom, to: s.top)
        s.yTicks(y, ticks.values.map { ($0, ReportNumber.count(Int($0))) })
        let w = s.plotWidth / Double(nb + 1)
        func edge(_ i: Int) -> Double { pow(10, loE + Double(i) / binsPerDecade) }
        for (i, count) in counts.enumerated() {
            let x = s.left + Double(i) * w
            let range = i == 0 ? "below \(Self.decade(lo)) (zero included)"
                : i == nb ? "≥ \(ReportNumber.num(edge(i - 1)))"
                : "\(ReportNumber.num(edge(i - 1))) to \(ReportNumber.num(edge(i)))"
            let title = "KLD \(range): \(ReportNumber.count(count)) position\(count == 1 ? "" : "s")"
            s.rect(x + 1.5, y(Double(count)), w - 3, s.bottom - y(Double(count)), class: i == 0 ? "bar0" : "bar", title: title)
            if count > 0 { s.text(x + w / 2, y(Double(count)) - 4, ReportNumber.count(count), anchor: .middle, class: "lb") }
        }
        s.text(s.left + w / 2, s.bottom + 15, "< " + Self.decade(lo), anchor: .middle, class: "tl")
        for i in stride(from: 0, through: nb, by: Int(binsPerDecade)) {
            s.text(s.left + Double(i + 1) * w, s.bottom + 15, Self.decade(edge(i)), anchor: .middle, class: "tl")
        }
        s.axes()
        s.xTitle("KLD (bins of half a decade)")
        s.yTitle("positions")
        return s.svg(label: "Histogram of KL divergence")
    }
}
