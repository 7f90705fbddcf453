import IngotKit

extension ConvertReport: Rendered {
    /// A one-line summary; when quantizing, first the per-tensor table (type chosen, RMSE, SQNR, max abs error, why a
    /// tensor stayed float) with totals and bits per weight.
    var text: String {
        var out: [String] = []
        if quantizing {
            var t = TextTable(["name", "shape", "from", "to", "RMSE", "SQNR dB", "max |err|", "note"], right: [4, 5, 6])
            for r in rows {
                let e = r.error
                t.rows.append([r.name, Fmt.shape(r.shape), r.from.typeName, r.to.typeName,
                               e.map { Fmt.num($0.rmse) } ?? "-", e.map { Fmt.fixed($0.sqnrDB, 2) } ?? "-",
                               e.map { Fmt.num($0.maxAbs) } ?? "-", r.note ?? ""])
            }
            out.append(t.render())
            out.append("")
            out.append("\(quantizedCount) of \(rows.count) tensors quantized; tensor data \(Fmt.bytes(bytesBefore)) → \(Fmt.bytes(bytesAfter))"
                       + " (\(Fmt.fixed(shrinkFactor, 2))× smaller), \(Fmt.fixed(bitsPerWeight, 2)) bits per weight")
        }
        let written = files.count > 1
            ? "\(files.count) files (\(files.first ?? "") … \(files.last.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? ""))"
            : output
        out.append("wrote \(written): \(rows.count) tensors, \(Fmt.bytes(bytesAfter)) of tensor data, file \(Fmt.bytes(outputBytes))")
        return out.joined(separator: "\n")
    }
}
