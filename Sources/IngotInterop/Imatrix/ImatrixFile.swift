import IngotFormat

/// Reads and writes importance matrices in llama.cpp's two layouts (`ImatrixFormat`), so an imatrix made by
/// `llama-imatrix` quantizes with Ingot and one made by `ingot calibrate` quantizes with `llama-quantize`.
public enum ImatrixFile {
    /// The suffixes of the two tensors a GGUF imatrix stores per weight matrix.
    static let sumsSuffix = ".in_sum2", countsSuffix = ".counts"

    /// Reads either layout (GGUF by its magic, else legacy). Errors name the file.
    public static func read(path: String) throws -> ImportanceMatrix {
        try read(mapped: try withPath(path) { try MappedFile(path: path) })
    }

    /// Reads an already mapped (or copied) file: what `read(path:)` and the fuzz target run.
    public static func read(mapped f: MappedFile) throws -> ImportanceMatrix {
        let path = f.path
        if f.bytes.count >= 4, Array(f.bytes.prefix(4)) == GGUFFile.magic {
            let g = try GGUFFile(mapped: f)
            do { return try fromGGUF(g) } catch { throw FileError(path: path, error) }
        }
        do { return try LegacyImatrix.parse(f.bytes) } catch { throw FileError(path: path, error) }
    }

    /// The XXH3-64 of the file's bytes as 16 hex digits (provenance records which matrix weighted a quantization).
    public static func hash(path: String) throws -> String {
        let f = try withPath(path) { try MappedFile(path: path) }
        return XXH3.hexString(XXH3.hash(f.bytes))
    }

    /// Writes `m` to `path` in `format` (temp file + rename: an existing file is never left half-written).
    public static func write(_ m: ImportanceMatrix, to path: String, format: ImatrixFormat) throws {
        switch format {
        case .legacy:
            let bytes: [UInt8]
            do { bytes = try LegacyImatrix.encode(m) } catch { throw FileError(path: path, error) }
            let out = try withPath(path) { try AtomicFile(destination: path) }
            try withPath(path) {
                try out.write(bytes)
                try out.commit()
            }
        case .gguf:
            let (kvs, tensors) = try withPath(path) { try ggufPlan(m) }
            let w = try GGUFWriter(path: path, keyValues: kvs, tensors: tensors.map(\.0))
            do {
                for (d, values) in tensors {
                    try values.withUnsafeBytes { try w.append(d, bytes: $0) }
                }
                try w.finish()
            } catch {
                w.abort()
                throw error
            }
        }
    }

    /// The pairs and tensors of a GGUF imatrix, in llama-imatrix's order: the matrices sorted by name, each as its
    /// sums then its counts ([columns] and [1] for one matrix, [matrices, columns] and [matrices, 1] for experts).
    static func ggufPlan(_ m: ImportanceMatrix) throws -> ([GGUFKeyValue], [(TensorDescriptor, [Float])]) {
        let kvs = [
            GGUFKeyValue("general.type", .string("imatrix")),
            GGUFKeyValue("imatrix.datasets", .array(.string(m.datasets))),
            GGUFKeyValue("imatrix.chunk_count", .uint32(UInt32(clamping: m.chunkCount))),
            GGUFKeyValue("imatrix.chunk_size", .uint32(UInt32(clamping: m.chunkSize))),
        ]
        var tensors: [(TensorDescriptor, [Float])] = []
        for e in m.entries.sorted(by: { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }) {
            // One matrix: 1-D tensors, as llama-imatrix's files have them (ggml drops a trailing dimension of 1).
            let one = e.matrices == 1
            let sums = try TensorLayout(name: e.name + sumsSuffix, dtype: .f32, shape: one ? [e.columns] : [e.matrices, e.columns], groupSize: nil)
            let counts = try TensorLayout(name: e.name + countsSuffix, dtype: .f32, shape: one ? [1] : [e.matrices, 1], groupSize: nil)
            tensors.append((TensorDescriptor(name: e.name + sumsSuffix, layout: sums), e.sums))
            tensors.append((TensorDescriptor(name: e.name + countsSuffix, layout: counts), e.counts))
        }
        return (kvs, tensors)
    }

    /// The matrix a GGUF imatrix holds; the GGUF header itself was validated when the file was opened.
    static func fromGGUF(_ g: GGUFFile) throws -> ImportanceMatrix {
        guard g.value(forKey: "general.type")?.stringValue == "imatrix" else {
            throw ImatrixError.notAnImatrix(reason: "a GGUF file without general.type = imatrix (a model? pass it as the model, not --imatrix)")
        }
        var datasets: [String] = []
        if case let .array(.string(names))? = g.value(forKey: "imatrix.datasets") { datasets = names }
        let chunks = g.value(forKey: "imatrix.chunk_count")?.integerValue ?? 0
        let size = g.value(forKey: "imatrix.chunk_size")?.integerValue ?? 0
        guard chunks >= 0, chunks <= Int64(Int32.max), size >= 0, size <= Int64(Int32.max) else {
            throw ImatrixError.notAnImatrix(reason: "chunk count \(chunks) or chunk size \(size) out of range")
        }
        var byName: [ExactKey: TensorDescriptor] = [:]
        for d in g.descriptors { byName[ExactKey(d.name)] = d }
        var entries: [ImportanceMatrix.Entry] = []
        for d in g.descriptors where d.name.hasSuffix(sumsSuffix) {
            let base = String(d.name.dropLast(sumsSuffix.count))
            guard !base.isEmpty else { throw ImatrixError.badName(index: entries.count) }
            guard let cd = byName[ExactKey(base + countsSuffix)] else {
                throw ImatrixError.notAnImatrix(reason: "\(quoted(d.name)) has no \(quoted(base + countsSuffix))")
            }
            let s = d.layout, c = cd.layout
            guard s.dtype == .f32, c.dtype == .f32, (1...2).contains(s.shape.count), let columns = s.shape.last, columns > 0 else {
                throw ImatrixError.notAnImatrix(reason: "\(quoted(d.name)) must be an f32 [matrices, columns] tensor")
            }
            let matrices = s.shape.count == 2 ? s.shape[0] : 1
            guard c.elementCount == matrices else {
                throw ImatrixError.notAnImatrix(reason: "\(quoted(cd.name)) holds \(c.elementCount) counts for \(matrices) matrices")
            }
            let sums = try floats(g, d), counts = try floats(g, cd)
            guard sums.allSatisfy({ $0.isFinite && $0 >= 0 }), counts.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw ImatrixError.badValue(tensor: base)
            }
            entries.append(.init(name: base, columns: columns, sums: sums, counts: counts))
        }
        for d in g.descriptors where d.name.hasSuffix(countsSuffix) {
            guard byName[ExactKey(String(d.name.dropLast(countsSuffix.count)) + sumsSuffix)] != nil else {
                throw ImatrixError.notAnImatrix(reason: "\(quoted(d.name)) has no \(sumsSuffix) tensor")
            }
        }
        return ImportanceMatrix(entries: entries, datasets: datasets, chunkCount: Int(chunks), chunkSize: Int(size))
    }

    private static func floats(_ g: GGUFFile, _ d: TensorDescriptor) throws -> [Float] {
        try g.load(d.name).withBytes { try BlockCodec.floats($0, layout: d.layout, name: d.name) }
    }
}
