import IngotKit
import IngotVerify

extension DiffReport: Rendered {
    var text: String {
        var t = TextTable(["name", "A", "B", "SQNR dB", "max |err|", "cosine"], right: [3, 4, 5])
        for r in diff.rows {
            t.rows.append([r.name, r.a.map { $0.typeName + " " + Fmt.shape($0.shape) } ?? "(absent)",
                           r.b.map { $0.typeName + " " + Fmt.shape($0.shape) } ?? "(absent)"] + Self.figures(r))
        }
        return t.render() + "\n\nA = \(a)\nB = \(b)\n\(diff.rows.count) tensors: \(identicalCount) identical, "
            + "\(diff.onlyInA.count) only in A, \(diff.onlyInB.count) only in B"
    }

    /// SQNR, max |err| and cosine cells of a row (diff's and verify's worst-tensor tables).
    static func figures(_ r: TensorDiff.Row) -> [String] { r.figures }
}
