import IngotFormat

/// What `convert` prints: a one-line summary, and with `--quantize` the per-tensor table (type chosen, RMSE,
/// SQNR, max abs error, why a tensor stayed float) with totals and bits per weight.
struct ConvertReport {
    let path: String
    let quantized: Bool
    var rows: [Converter.Row] = []
    var outputBytes = 0

    init(path: String, quantized: Bool) {
        self.path = path
        self.quantized = quantized
    }

    var bytesBefore: Int { rows.reduce(0) { $0 + $1.from.byteCount } }
    var bytesAfter: Int { rows.reduce(0) { $0 + $1.to.byteCount } }
    var params: Int { rows.reduce(0) { $0 + $1.from.elementCount } }

    static func typeName(_ l: TensorLayout) -> String { l.groupSize.map { "\(l.dtype.rawValue)/g\($0)" } ?? l.dtype.rawValue }

    var text: String {
        var out: [String] = []
        if quantized {
            var t = TextTable(["name", "shape", "from", "to", "RMSE", "SQNR dB", "max |err|", "note"], right: [4, 5, 6])
            for r in rows {
                let e = r.error
                t.rows.append([r.name, Fmt.shape(r.shape), Self.typeName(r.from), Self.typeName(r.to),
                               e.map { Fmt.num($0.rmse) } ?? "-", e.map { Fmt.fixed($0.sqnrDB, 2) } ?? "-",
                               e.map { Fmt.num($0.maxAbs) } ?? "-", r.note ?? ""])
            }
            out.append(t.render())
            let quantizedCount = rows.filter { $0.error != nil }.count
            let bpw = params == 0 ? 0 : Double(bytesAfter * 8) / Double(params)
            out.append("")
            out.append("\(quantizedCount) of \(rows.count) tensors quantized; tensor data \(Fmt.bytes(bytesBefore)) → \(Fmt.bytes(bytesAfter))"
                       + " (\(Fmt.fixed(bytesBefore == 0 ? 0 : Double(bytesBefore) / Double(max(bytesAfter, 1)), 2))× smaller),"
                       + " \(Fmt.fixed(bpw, 2)) bits per weight")
        }
        out.append("wrote \(path): \(rows.count) tensors, \(Fmt.bytes(bytesAfter)) of tensor data, file \(Fmt.bytes(outputBytes))")
        return out.joined(separator: "\n")
    }
}
