import IngotFormat
import IngotKit

/// Human-readable numbers for tables.
enum Fmt {
    static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var u = 0
        while v >= 1024, u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(n) B" : fixed(v, 1) + " " + units[u]
    }

    /// The number rules are IngotKit's (`ReportNumber`), shared with the HTML report.
    static func fixed(_ v: Double, _ digits: Int) -> String { ReportNumber.fixed(v, digits) }

    /// Compact scientific-ish form for statistics.
    static func num(_ v: Double) -> String { ReportNumber.num(v) }

    static func shape(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }

    static func count(_ n: Int) -> String { ReportNumber.count(n) }
}

/// A plain text table: left-aligned text columns, right-aligned numeric ones.
struct TextTable {
    var headers: [String]
    var rightAligned: Set<Int>
    var rows: [[String]] = []

    init(_ headers: [String], right: Set<Int> = []) {
        self.headers = headers
        rightAligned = right
    }

    /// Cells are cut to this many characters (with "…"): a hostile 64 MiB tensor name must not make every row of a
    /// 200k-row table that wide. `--json` carries the full values.
    static let maxCellWidth = 160

    func render() -> String {
        func cut(_ c: String) -> String {
            c.utf8.count <= Self.maxCellWidth || c.count <= Self.maxCellWidth ? c : String(c.prefix(Self.maxCellWidth - 1)) + "…"
        }
        let headers = self.headers.map(cut), rows = self.rows.map { $0.map(cut) }
        var widths = headers.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            var s = cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
                return rightAligned.contains(i) ? pad + c : c + pad
            }.joined(separator: "  ")
            // Trailing padding off, in linear time (a regex like /\s+$/ backtracks quadratically on long runs).
            while s.last == " " { s.removeLast() }
            return s
        }
        var out = [line(headers), line(widths.map { String(repeating: "-", count: $0) })]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }
}
