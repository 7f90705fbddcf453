import IngotFormat

/// llama.cpp's legacy `.dat` importance matrix, little-endian:
///
///     i32 entries
///     entries × { i32 name_length, name bytes, i32 ncall, i32 nval, f32 values[nval] }
///     i32 chunk_count                 (optional: older files end after the entries)
///     i32 dataset_length, bytes       (optional)
///
/// `values` are the per-column mean squared activations multiplied by `ncall` (so the mean is values / ncall). Read
/// as `ImportanceMatrix` entries with sums = values and one count = ncall, which gives the same means.
enum LegacyImatrix {
    /// Parses hostile bytes: every read bounded, every count checked against the bytes left before it is allocated.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(ImatrixError) -> ImportanceMatrix {
        var c = Reader(bytes: bytes)
        let n = try c.i32("the entry count")
        guard n >= 0, Int(n) <= ImatrixLimits.maxEntries else { throw .tooLarge(what: "entry count", value: Int64(n)) }
        // Each entry takes at least 12 bytes plus a 1-byte name: a huge count in a small file fails here, unallocated.
        guard Int(n) <= c.remaining / 13 else { throw .truncated(what: "the \(n) entries") }
        var entries: [ImportanceMatrix.Entry] = []
        entries.reserveCapacity(Int(n))
        var seen = Set<ExactKey>()
        for i in 0..<Int(n) {
            let len = try c.i32("the name length of entry \(i)")
            guard len > 0, Int(len) <= ImatrixLimits.maxNameBytes else {
                throw len <= 0 ? .badName(index: i) : .tooLarge(what: "name length", value: Int64(len))
            }
            let raw = try c.take(Int(len), "the name of entry \(i)")
            guard let name = String(validating: raw, as: UTF8.self) else { throw .badName(index: i) }
            guard seen.insert(ExactKey(name)).inserted else { throw .duplicate(name) }
            let ncall = try c.i32("the call count of \(quoted(name))")
            let nval = try c.i32("the value count of \(quoted(name))")
            guard ncall >= 0 else { throw .badValue(tensor: name) }
            guard nval > 0, Int(nval) <= ImatrixLimits.maxValues else { throw .tooLarge(what: "value count of \(quoted(name))", value: Int64(nval)) }
            let data = try c.take(Int(nval) * 4, "the values of \(quoted(name))")
            var values = [Float](repeating: 0, count: Int(nval))
            for j in 0..<Int(nval) {
                values[j] = Float(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: 4 * j, as: UInt32.self)))
            }
            guard values.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw .badValue(tensor: name) }
            entries.append(.init(name: name, columns: Int(nval), sums: values, counts: [Float(ncall)]))
        }
        var chunks = 0
        var datasets: [String] = []
        if c.remaining >= 4 {
            let last = try c.i32("the chunk count")
            guard last >= 0 else { throw .tooLarge(what: "chunk count", value: Int64(last)) }
            chunks = Int(last)
        }
        if c.remaining >= 4 {
            let len = try c.i32("the dataset name length")
            guard len >= 0, Int(len) <= ImatrixLimits.maxNameBytes else { throw .tooLarge(what: "dataset name length", value: Int64(len)) }
            let raw = try c.take(Int(len), "the dataset name")
            // A dataset name is informational: bytes that are not UTF-8 are repaired, not fatal.
            datasets = len > 0 ? [String(decoding: raw, as: UTF8.self)] : []
        }
        guard c.remaining == 0 else { throw .trailingBytes(c.remaining) }
        return ImportanceMatrix(entries: entries, datasets: datasets, chunkCount: chunks, chunkSize: 0)
    }

    /// The file bytes for `m`. ncall is the chunk count (at least 1), values the means times ncall, as llama-imatrix
    /// writes them; entries of several matrices (experts) are written matrix after matrix, entries without any
    /// token left out.
    static func encode(_ m: ImportanceMatrix) throws(ImatrixError) -> [UInt8] {
        var out: [UInt8] = []
        func i32(_ v: Int, _ what: String) throws(ImatrixError) {
            guard let x = Int32(exactly: v) else { throw .tooLarge(what: what, value: Int64(v)) }
            withUnsafeBytes(of: x.littleEndian) { out += $0 }
        }
        // Entries no token reached carry no means: llama-imatrix leaves them out of this layout.
        let entries = m.entries.filter { $0.counts.contains { $0 > 0 } }
        try i32(entries.count, "entry count")
        let ncall = max(1, m.chunkCount)
        for e in entries {
            let name = Array(e.name.utf8)
            guard !name.isEmpty, name.count <= ImatrixLimits.maxNameBytes else { throw .tooLarge(what: "name length", value: Int64(name.count)) }
            try i32(name.count, "name length")
            out += name
            try i32(ncall, "call count")
            try i32(e.sums.count, "value count")
            for mIndex in 0..<e.matrices {
                let count = e.counts[mIndex]
                for j in 0..<e.columns {
                    let mean = count > 0 ? e.sums[mIndex * e.columns + j] / count : 0
                    withUnsafeBytes(of: (mean * Float(ncall)).bitPattern.littleEndian) { out += $0 }
                }
            }
        }
        try i32(m.chunkCount, "chunk count")
        let dataset = Array((m.datasets.first ?? "").utf8.prefix(ImatrixLimits.maxNameBytes))
        try i32(dataset.count, "dataset name length")
        out += dataset
        return out
    }

    /// Bounded little-endian reads over the file.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0
        var remaining: Int { bytes.count - offset }

        mutating func take(_ n: Int, _ what: @autoclosure () -> String) throws(ImatrixError) -> UnsafeRawBufferPointer {
            guard n >= 0, n <= remaining, let b = bytes.bounded(offset, n) else { throw .truncated(what: what()) }
            offset += n
            return b
        }

        mutating func i32(_ what: @autoclosure () -> String) throws(ImatrixError) -> Int32 {
            guard let v = bytes.le(Int32.self, at: offset), remaining >= 4 else { throw .truncated(what: what()) }
            offset += 4
            return v
        }
    }
}
