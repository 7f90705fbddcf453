import IngotFormat

/// What `ingot inspect` shows: per-tensor rows, totals, a per-dtype summary, metadata and optional statistics.
struct InspectReport {
    struct Row {
        let descriptor: TensorDescriptor
        let storage: StorageInfo
        var stats: TensorStats?
    }

    let path: String
    let format: String
    let metadata: JSONObject
    var rows: [Row]

    init(source: any TensorSource, stats: Bool) throws {
        path = source.path
        format = source.formatName
        metadata = source.metadata
        var progress = Progress(total: source.descriptors.count, label: "stats")
        rows = []
        for (i, d) in source.descriptors.enumerated() {
            var row = Row(descriptor: d, storage: source.storage(of: d), stats: nil)
            if stats {
                progress.update(i + 1, d.name)
                var buf = try source.load(d.name)
                var dtype = d.layout.dtype
                if dtype.isBlockQuantized {  // statistics of the values the blocks stand for
                    buf = try withPath(source.path) { try BlockCodec.floatBuffer(buf, layout: d.layout, name: d.name) }
                    dtype = .f32
                }
                let t = dtype
                row.stats = try withPath(source.path) { try buf.withBytes { try TensorStats.compute($0, dtype: t) } }
            }
            rows.append(row)
        }
        progress.finish()
    }

    var totalBytes: Int { rows.reduce(0) { $0 + $1.descriptor.layout.byteCount } }
    var totalStored: Int { rows.reduce(0) { $0 + $1.storage.storedBytes } }
    var totalParams: Int { rows.reduce(0) { $0 + $1.descriptor.layout.elementCount } }

    static func ratio(_ stored: Int, _ size: Int) -> Double { size == 0 ? 1 : Double(stored) / Double(size) }

    /// Per dtype: tensor count, parameters, bytes, stored bytes — in first-seen order.
    var byDType: [(dtype: String, tensors: Int, params: Int, bytes: Int, stored: Int)] {
        var order: [String] = []
        var acc: [String: (Int, Int, Int, Int)] = [:]
        for r in rows {
            let l = r.descriptor.layout
            let key = l.groupSize.map { "\(l.dtype.rawValue)/g\($0)" } ?? l.dtype.rawValue
            if acc[key] == nil { order.append(key) }
            let a = acc[key, default: (0, 0, 0, 0)]
            acc[key] = (a.0 + 1, a.1 + l.elementCount, a.2 + l.byteCount, a.3 + r.storage.storedBytes)
        }
        return order.map { k in
            let a = acc[k, default: (0, 0, 0, 0)]
            return (k, a.0, a.1, a.2, a.3)
        }
    }

    func text() -> String {
        var out = ["\(path)  (\(format), \(rows.count) tensors, \(Fmt.count(totalParams)) parameters, \(Fmt.bytes(totalBytes)))"]
        if let p = metadata["ingot.provenance"]?.objectValue {
            let files = (p["files"]?.arrayValue ?? []).compactMap { f -> String? in
                guard let o = f.objectValue, let n = o["name"]?.stringValue, let h = o["xxh3"]?.stringValue else { return nil }
                return "\(n) (xxh3 \(h))"
            }
            let opts = (p["options"]?.objectValue ?? JSONObject()).compactMap { $0.value == .null ? nil : "\($0.key)=\($0.value.stringValue ?? $0.value.description)" }
            out.append("provenance: converted from \(p["source_format"]?.stringValue ?? "?") by ingot \(p["ingot_version"]?.stringValue ?? "?")"
                       + (opts.isEmpty ? "" : " with " + opts.joined(separator: ", ")))
            for f in files { out.append("  \(f)") }
        }
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
            let dtype = l.groupSize.map { "\(l.dtype.rawValue)/g\($0)" } ?? l.dtype.rawValue
            var cells = [quotedIfNeeded(r.descriptor.name), dtype, Fmt.shape(l.shape), Fmt.bytes(l.byteCount),
                         Fmt.bytes(r.storage.storedBytes), Fmt.fixed(Self.ratio(r.storage.storedBytes, l.byteCount), 3),
                         r.storage.encoding]
            if hasStats {
                if let s = r.stats {
                    cells += [Fmt.num(s.min), Fmt.num(s.max), Fmt.num(s.mean), Fmt.num(s.std), String(s.nanCount), String(s.infCount)]
                } else {
                    cells += ["-", "-", "-", "-", "-", "-"]
                }
            }
            t.rows.append(cells)
        }
        t.rows.append(["total (\(rows.count) tensors)", "", Fmt.count(totalParams) + " params", Fmt.bytes(totalBytes),
                       Fmt.bytes(totalStored), Fmt.fixed(Self.ratio(totalStored, totalBytes), 3), ""]
                      + (hasStats ? ["", "", "", "", "", ""] : []))
        out.append(t.render())
        var d = TextTable(["dtype", "tensors", "params", "size", "stored", "ratio", "bits/weight"], right: [1, 2, 3, 4, 5, 6])
        for g in byDType {
            let bpw = g.params == 0 ? 0 : Double(g.bytes * 8) / Double(g.params)
            d.rows.append([g.dtype, String(g.tensors), Fmt.count(g.params), Fmt.bytes(g.bytes), Fmt.bytes(g.stored),
                           Fmt.fixed(Self.ratio(g.stored, g.bytes), 3), Fmt.fixed(bpw, 2)])
        }
        out.append("")
        out.append(d.render())
        return out.joined(separator: "\n")
    }

    func json() -> JSONValue {
        func num(_ v: Double) -> JSONValue { v.isFinite ? .double(v) : .null }
        let tensors: [JSONValue] = rows.map { r in
            let l = r.descriptor.layout
            var o = JSONObject()
            o["name"] = .string(r.descriptor.name)
            o["dtype"] = .string(l.dtype.rawValue)
            if let g = l.groupSize { o["group_size"] = .int(Int64(g)) }
            o["shape"] = .array(l.shape.map { .int(Int64($0)) })
            o["elements"] = .int(Int64(l.elementCount))
            o["bytes"] = .int(Int64(l.byteCount))
            o["stored_bytes"] = .int(Int64(r.storage.storedBytes))
            o["encoding"] = .string(r.storage.encoding)
            if let s = r.stats {
                o["stats"] = .object(JSONObject([
                    ("min", num(s.min)), ("max", num(s.max)), ("mean", num(s.mean)), ("std", num(s.std)),
                    ("nan", .int(Int64(s.nanCount))), ("inf", .int(Int64(s.infCount))),
                ]))
            }
            return .object(o)
        }
        let dtypes: [JSONValue] = byDType.map { g in
            .object(JSONObject([
                ("dtype", .string(g.dtype)), ("tensors", .int(Int64(g.tensors))), ("params", .int(Int64(g.params))),
                ("bytes", .int(Int64(g.bytes))), ("stored_bytes", .int(Int64(g.stored))),
            ]))
        }
        return .object(JSONObject([
            ("file", .string(path)), ("format", .string(format)), ("metadata", .object(metadata)),
            ("tensors", .array(tensors)),
            ("totals", .object(JSONObject([
                ("tensors", .int(Int64(rows.count))), ("params", .int(Int64(totalParams))),
                ("bytes", .int(Int64(totalBytes))), ("stored_bytes", .int(Int64(totalStored))),
            ]))),
            ("dtypes", .array(dtypes)),
        ]))
    }

    private func quotedIfNeeded(_ s: String) -> String {
        s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f || $0 == " " } ? quoted(s) : s
    }
}
