#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One inline SVG chart of the HTML report: a canvas of fixed size (scaled to the page width by CSS), a plot
/// rectangle inside it, and the few primitives the charts need. Coordinates are pixels of the canvas; the chart code
/// maps values with `SVGScale`. Text and tooltips are escaped here, so chart code never writes markup by hand.
struct SVGChart {
    let width: Double
    let height: Double
    /// The plot rectangle (axes, ticks and labels go outside it).
    let left: Double, top: Double, right: Double, bottom: Double
    private var parts: [String] = []

    init(width: Double = 1120, height: Double, left: Double = 64, top: Double = 14, right: Double = 16, bottom: Double = 40) {
        self.width = width
        self.height = height
        self.left = left
        self.top = top
        self.right = width - right
        self.bottom = height - bottom
    }

    var plotWidth: Double { right - left }
    var plotHeight: Double { bottom - top }

    /// Coordinates with one decimal: enough for a 1120-px canvas, and a page of thousands of marks stays small.
    static func c(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let t = Int((v * 10).rounded())
        let a = t.magnitude
        return (t < 0 ? "-" : "") + String(a / 10) + (a % 10 == 0 ? "" : "." + String(a % 10))
    }

    /// A CSS class attribute, or nothing.
    private static func cls(_ c: String?) -> String { c.map { " class=\"\($0)\"" } ?? "" }

    /// A `<title>` child (the browser's tooltip) from unescaped text.
    private static func title(_ t: String?) -> String { t.map { "<title>" + HTMLEscape.text($0) + "</title>" } ?? "" }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, class c: String) {
        parts.append("<line\(Self.cls(c)) x1=\"\(Self.c(x1))\" y1=\"\(Self.c(y1))\" x2=\"\(Self.c(x2))\" y2=\"\(Self.c(y2))\"/>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, class c: String, title t: String? = nil) {
        let open = "<rect\(Self.cls(c)) x=\"\(Self.c(x))\" y=\"\(Self.c(y))\" width=\"\(Self.c(max(0, w)))\" height=\"\(Self.c(max(0, h)))\""
        parts.append(t == nil ? open + "/>" : open + ">" + Self.title(t) + "</rect>")
    }

    mutating func circle(_ x: Double, _ y: Double, r: Double, class c: String, title t: String? = nil) {
        let open = "<circle\(Self.cls(c)) cx=\"\(Self.c(x))\" cy=\"\(Self.c(y))\" r=\"\(Self.c(r))\""
        parts.append(t == nil ? open + "/>" : open + ">" + Self.title(t) + "</circle>")
    }

    /// A path from `d` (built with `SVGChart.c` coordinates by the caller: one element for thousands of segments).
    mutating func path(_ d: String, class c: String) {
        parts.append("<path\(Self.cls(c)) d=\"\(d)\"/>")
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ x: Double, _ y: Double, _ s: String, anchor: Anchor = .start, class c: String? = nil) {
        parts.append("<text\(Self.cls(c)) x=\"\(Self.c(x))\" y=\"\(Self.c(y))\" text-anchor=\"\(anchor.rawValue)\">" + HTMLEscape.text(s) + "</text>")
    }

    /// The plot's frame: its left and bottom axes.
    mutating func axes() {
        line(left, top, left, bottom, class: "ax")
        line(left, bottom, right, bottom, class: "ax")
    }

    /// Horizontal grid lines with labels left of the axis, at the given values of `y`.
    mutating func yTicks(_ y: SVGScale, _ ticks: [(Double, String)]) {
        for (v, label) in ticks {
            let py = y(v)
            line(left, py, right, py, class: "gr")
            text(left - 6, py + 4, label, anchor: .end, class: "tl")
        }
    }

    /// An axis title: under the plot (x) or rotated along the left edge (y).
    mutating func xTitle(_ s: String) { text((left + right) / 2, height - 6, s, anchor: .middle, class: "at") }

    mutating func yTitle(_ s: String) {
        parts.append("<text class=\"at\" text-anchor=\"middle\" transform=\"translate(14 \(Self.c((top + bottom) / 2))) rotate(-90)\">"
                     + HTMLEscape.text(s) + "</text>")
    }

    /// The finished `<svg>` element; `label` is its accessible name. The namespace is the page's only URL.
    func svg(label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Self.c(width)) \(Self.c(height))\" role=\"img\" aria-label=\""
            + HTMLEscape.text(label) + "\">" + parts.joined() + "</svg>"
    }
}

/// A map from values to canvas pixels along one axis, linear or log10; values outside the domain are clamped to it
/// (a chart's "clipped" rule), and a log scale draws zero and negative values at its lower end.
struct SVGScale {
    enum Kind { case linear, log }

    let kind: Kind
    let lo: Double, hi: Double
    /// Pixels of `lo` and `hi` (for y, `from` is the bottom).
    let from: Double, to: Double

    func callAsFunction(_ v: Double) -> Double {
        let t: Double
        switch kind {
        case .linear: t = hi > lo ? (v - lo) / (hi - lo) : 0.5
        case .log:
            let l = v > 0 ? log10(v) : -Double.infinity
            let (a, b) = (log10(lo), log10(hi))
            t = b > a ? (l - a) / (b - a) : 0.5
        }
        let clamped = t.isNaN ? 0 : min(1, max(0, t))
        return from + clamped * (to - from)
    }

    /// About `count` round ticks (steps of 1, 2 or 5 × 10ⁿ) covering [lo, hi], and the decimals their labels need.
    static func niceTicks(_ lo: Double, _ hi: Double, count: Int = 5) -> (values: [Double], digits: Int) {
        guard hi > lo, lo.isFinite, hi.isFinite else { return ([lo], 0) }
        let raw = (hi - lo) / Double(max(1, count))
        let e = (log10(raw)).rounded(.down)
        let base = pow10(Int(e))
        let step = [1.0, 2, 5, 10].map { $0 * base }.first { $0 >= raw } ?? 10 * base
        let digits = max(0, -Int(log10(step).rounded(.down)))
        var values: [Double] = []
        var v = (lo / step).rounded(.up) * step
        while v <= hi + step * 1e-9, values.count < 100 {
            values.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return (values, digits)
    }

    static func pow10(_ e: Int) -> Double {
        var p = 1.0
        if e >= 0 { for _ in 0..<e { p *= 10 } } else { for _ in 0..<(-e) { p /= 10 } }
        return p
    }
}
