import IngotFamilies
import IngotVerify

/// Per-tensor SQNR by layer, the worst tensors, and what only one side has: where a quantization lost precision,
/// independent of any input.
extension HTMLReport {
    var tensorSection: String {
        let compared = report.diff.rows.filter { $0.sqnrDB != nil }
        let identical = compared.filter(\.identical).count
        var note = "\(ReportNumber.count(compared.count)) tensors compared, \(ReportNumber.count(identical)) bit-identical"
        if let w = report.diff.worst.first, let q = w.sqnrDB, q != .infinity {
            note += "; lowest SQNR \(ReportNumber.fixed(q, 2)) dB (\(HTMLEscape.cut(w.name, 160)))"
        }
        note += ". SQNR = 10·log10(Σ reference² / Σ (candidate − reference)²): every 6 dB is one bit of precision."
        var body = compared.isEmpty ? "" : kindLegend(compared) + sqnrChart(compared)
        body += worstTable + sideLists
        return Self.section("tensors", "Per-tensor SQNR by layer", note: HTMLEscape.text(note), body)
    }

    func kindLegend(_ rows: [TensorDiff.Row]) -> String {
        var counts: [TensorRole.Kind: Int] = [:]
        for r in rows { counts[TensorRole(name: r.name).kind, default: 0] += 1 }
        var s = "<div class=\"legend\">"
        for (kind, _) in Self.kindColors where counts[kind] != nil {
            s += "<span><span class=\"sw k-\(kind.rawValue)\"></span>\(kind.rawValue) (\(counts[kind] ?? 0))</span>"
        }
        return s + "</div>"
    }

    /// x: one column per layer index found in the names (in order; tensors outside the stack in a last column),
    /// each kind at its own offset in the column so marks of a layer do not hide each other. y: SQNR in dB.
    /// Identical tensors (+∞ dB) sit in a band above the plot.
    func sqnrChart(_ rows: [TensorDiff.Row]) -> String {
        let roles = rows.map { TensorRole(name: $0.name) }
        let layers = Set(roles.compactMap(\.layer)).sorted()
        let hasOther = roles.contains { $0.layer == nil }
        let columns = layers.count + (hasOther ? 1 : 0)
        var columnOf: [Int: Int] = [:]
        for (i, l) in layers.enumerated() { columnOf[l] = i }
        let finite = rows.compactMap(\.sqnrDB).filter(\.isFinite)
        var lo = ((finite.min() ?? 0) / 5).rounded(.down) * 5, hi = ((finite.max() ?? 50) / 5).rounded(.up) * 5
        if hi - lo < 10 { lo -= 5; hi += 5 }
        var s = SVGChart(height: 340, left: 64, top: 44, bottom: 46)
        let y = SVGScale(kind: .linear, lo: lo, hi: hi, from: s.bottom, to: s.top)
        let ticks = SVGScale.niceTicks(lo, hi, count: 6)
        s.yTicks(y, ticks.values.map { ($0, ReportNumber.fixed($0, ticks.digits)) })
        let bandY = s.top - 22
        s.rect(s.left, bandY - 9, s.plotWidth, 18, class: "band")
        s.text(s.left - 6, bandY + 4, "identical", anchor: .end, class: "tl")
        let colW = s.plotWidth / Double(max(1, columns))
        if colW >= 10 {
            for i in 1..<max(1, columns) { s.line(s.left + Double(i) * colW, s.top, s.left + Double(i) * colW, s.bottom, class: "col") }
        }
        let kinds = TensorRole.Kind.allCases
        let spread = min(7, colW * 0.8 / Double(kinds.count))
        let r = colW < 12 ? 2.2 : 3.6
        for (row, role) in zip(rows, roles) {
            let col = role.layer.flatMap { columnOf[$0] } ?? layers.count
            let k = Double(kinds.firstIndex(of: role.kind) ?? kinds.count - 1)
            let x = s.left + (Double(col) + 0.5) * colW + (k - Double(kinds.count - 1) / 2) * spread
            let q = row.sqnrDB ?? .nan
            let cy = q == .infinity ? bandY : y(q.isNaN ? lo : q)
            let where_ = role.layer.map { "layer \($0), " } ?? ""
            let value = q == .infinity ? "identical" : "SQNR \(ReportNumber.fixed(q, 2)) dB"
            s.circle(x, cy, r: r, class: "sq k-\(role.kind.rawValue)",
                     title: HTMLEscape.cut(row.name, 300) + "\n" + where_ + role.kind.rawValue + ": " + value)
        }
        // Column labels, thinned so that they stay about 26 px apart.
        let every = max(1, Int((26 / colW).rounded(.up)))
        for (i, l) in layers.enumerated() where i % every == 0 {
            s.text(s.left + (Double(i) + 0.5) * colW, s.bottom + 15, String(l), anchor: .middle, class: "tl")
        }
        if hasOther { s.text(s.left + (Double(layers.count) + 0.5) * colW, s.bottom + 15, "none", anchor: .middle, class: "tl") }
        s.axes()
        s.xTitle(hasOther ? "layer (last column: tensors outside the layer stack)" : "layer")
        s.yTitle("SQNR (dB)")
        return s.svg(label: "SQNR per tensor by layer")
    }

    /// The 16 lowest-SQNR tensors, as the CLI's table shows them, with the layer and kind the chart placed them at.
    var worstTable: String {
        let worst = report.diff.worst.prefix(16)
        guard !worst.isEmpty else { return "" }
        var s = "<h2>Worst tensors</h2><table class=\"worst\"><thead><tr><th class=\"n\">#</th><th>tensor</th><th class=\"n\">layer</th>"
            + "<th>kind</th><th>reference</th><th>candidate</th><th class=\"n\">SQNR dB</th><th class=\"n\">max |err|</th>"
            + "<th class=\"n\">cosine</th></tr></thead><tbody>"
        for (i, row) in worst.enumerated() {
            let role = TensorRole(name: row.name)
            let cells = [row.a?.typeName ?? "-", row.b?.typeName ?? "-"].map { "<td>" + Self.esc($0) + "</td>" }.joined()
            s += "<tr><td class=\"n\">\(i + 1)</td><td class=\"name\"><code>" + Self.esc(row.name, limit: 160) + "</code></td>"
                + "<td class=\"n\">\(role.layer.map(String.init) ?? "-")</td><td><span class=\"sw k-\(role.kind.rawValue)\"></span>"
                + role.kind.rawValue + "</td>" + cells
                + row.figures.map { "<td class=\"n\">" + Self.esc($0) + "</td>" }.joined() + "</tr>"
        }
        return s + "</tbody></table>"
    }

    /// Tensors only one side has and shape changes (at most 50 of each, then a count).
    var sideLists: String {
        let d = report.diff
        let lists: [(String, [String])] = [
            ("only in the reference", d.onlyInA.map(\.name)), ("only in the candidate", d.onlyInB.map(\.name)),
            ("shape differs", d.rows.filter { $0.a != nil && $0.b != nil && $0.sqnrDB == nil }.map(\.name)),
        ]
        var s = ""
        for (title, names) in lists where !names.isEmpty {
            s += "<p><b>" + title + "</b> (\(names.count)): " + names.prefix(50).map { "<code>" + Self.esc($0, limit: 160) + "</code>" }
                .joined(separator: ", ") + (names.count > 50 ? ", and \(names.count - 50) more" : "") + "</p>"
        }
        return s
    }
}
