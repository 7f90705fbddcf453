/// How every report writes a number, in text tables and in the HTML report alike (the CLI's `Fmt` forwards here), so
/// a figure reads the same wherever it is shown. No Foundation: `String(format:)` would be the only reason to need it.
public enum ReportNumber {
    /// `digits` decimals, rounded half away from zero; "nan", "inf", "-inf" for non-finite values.
    public static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let r = (abs(v) * p).rounded() / p
        // Beyond Int's range a fixed-point form is meaningless; scientific form instead of a trap.
        guard r < 9e18 else { return num(v) }
        var s = String(Int(r))
        if digits > 0 {
            let frac = Int(((r - r.rounded(.down)) * p).rounded())
            let f = String(frac)
            s += "." + String(repeating: "0", count: max(0, digits - f.count)) + f
        }
        return (v < 0 && r != 0 ? "-" : "") + s
    }

    /// Compact scientific-ish form for statistics: 5 decimals in [1e-3, 100), 2 in [100, 1e5), else "1.234e-5";
    /// "-" for NaN (a figure that does not exist, such as the perplexity of no scored token).
    public static func num(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "-" : (v > 0 ? "inf" : "-inf") }
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e-3 && a < 1e5 { return fixed(v, a >= 100 ? 2 : 5) }
        var e = 0
        var m = a
        while m >= 10 { m /= 10; e += 1 }
        while m < 1 { m *= 10; e -= 1 }
        return (v < 0 ? "-" : "") + fixed(m, 3) + "e" + String(e)
    }

    /// A percentage of a share (0…1) with `digits` decimals: "97.25%".
    public static func percent(_ share: Double, _ digits: Int) -> String { fixed(100 * share, digits) + "%" }

    /// Thousands separated by commas: "12,345".
    public static func count(_ n: Int) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + String(out.reversed())
    }
}
