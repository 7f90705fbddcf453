import IngotFormat
import IngotKit

extension InspectReport: Rendered {
    /// A title line, provenance, metadata, the tensor table with totals, and the per-type summary.
    var text: String {
        let spread = files.map { ", \($0.count) files: \($0.first ?? "") … \($0.last ?? "")" } ?? ""
        var out = ["\(path)  (\(format), \(rows.count) tensors, \(Fmt.count(totalParams)) parameters, \(Fmt.bytes(totalBytes))\(spread))"]
        out += provenanceLines
        if let t = tokenizerSummary { out.append("tokenizer: \(t)") }
        if !metadata.isEmpty {
            out.append("metadata:")
            for (k, v) in metadata where k != "ingot.provenance" {
                var s = v.stringValue.map { quoted($0) } ?? v.description
                if s.count > 100 { s = String(s.prefix(97)) + "…" }
                out.append("  \(k) = \(s)")
            }
        }
        let hasStats = rows.contains { $0.stats != nil }
        var headers = ["name", "dtype", "shape", "size", "stored", "ratio", "encoding"]
        if hasStats { headers += ["min", "max", "mean", "std", "nan", "inf"] }
        var t = TextTable(headers, right: [3, 4, 5, 7, 8, 9, 10, 11, 12])
        for r in rows {
            let l = r.descriptor.layout
            var cells = [quotedIfNeeded(r.descriptor.name), l.typeName, Fmt.shape(l.shape), Fmt.bytes(l.byteCount),
                         Fmt.bytes(r.storage.storedBytes), Fmt.fixed(Self.ratio(r.storage.storedBytes, l.byteCount), 3),
                         r.storage.encoding]
            if hasStats {
                cells += r.stats.map { s in
                    [Fmt.num(s.min), Fmt.num(s.max), Fmt.num(s.mean), Fmt.num(s.std), String(s.nanCount), String(s.infCount)]
                } ?? Array(repeating: "-", count: 6)
            }
            t.rows.append(cells)
        }
        t.rows.append(["total (\(rows.count) tensors)", "", Fmt.count(totalParams) + " params", Fmt.bytes(totalBytes),
                       Fmt.bytes(totalStored), Fmt.fixed(Self.ratio(totalStored, totalBytes), 3), ""]
                      + (hasStats ? Array(repeating: "", count: 6) : []))
        out.append(t.render())
        var d = TextTable(["dtype", "tensors", "params", "size", "stored", "ratio", "bits/weight"], right: [1, 2, 3, 4, 5, 6])
        for g in byType {
            d.rows.append([g.type, String(g.tensors), Fmt.count(g.params), Fmt.bytes(g.bytes), Fmt.bytes(g.storedBytes),
                           Fmt.fixed(Self.ratio(g.storedBytes, g.bytes), 3), Fmt.fixed(g.bitsPerWeight, 2)])
        }
        out.append("")
        out.append(d.render())
        return out.joined(separator: "\n")
    }

    /// "converted from … by ingot … with …" and the source files with their hashes, from `ingot.provenance`.
    private var provenanceLines: [String] {
        guard let p = metadata["ingot.provenance"]?.objectValue else { return [] }
        let files = (p["files"]?.arrayValue ?? []).compactMap { f -> String? in
            guard let o = f.objectValue, let n = o["name"]?.stringValue, let h = o["xxh3"]?.stringValue else { return nil }
            return "  \(n) (xxh3 \(h))"
        }
        let options = p["options"]?.objectValue ?? JSONObject()
        let opts = options.compactMap { $0.value == .null || $0.key == "imatrix" ? nil : "\($0.key)=\($0.value.stringValue ?? $0.value.description)" }
        var imatrix: [String] = []
        if let m = options["imatrix"]?.objectValue {
            let datasets = (m["datasets"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")
            imatrix = ["  importance matrix \(m["file"]?.stringValue ?? "?") (xxh3 \(m["xxh3"]?.stringValue ?? "?")): "
                       + "\(m["entries"]?.intValue.map(String.init) ?? "?") matrices from \(datasets.isEmpty ? "?" : datasets), "
                       + "\(m["chunks"]?.intValue.map(String.init) ?? "?") chunks"]
        }
        return ["provenance: converted from \(p["source_format"]?.stringValue ?? "?") by ingot \(p["ingot_version"]?.stringValue ?? "?")"
                + (opts.isEmpty ? "" : " with " + opts.joined(separator: ", "))] + files + imatrix
    }

    private func quotedIfNeeded(_ s: String) -> String {
        s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f || $0 == " " } ? quoted(s) : s
    }
}
