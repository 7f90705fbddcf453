import IngotFormat

/// Per-tensor comparison of two models without a forward pass: what only one side has, shape and dtype changes, and
/// for tensors present in both the SQNR, max abs error and cosine similarity of their values.
public struct TensorDiff: Sendable {
    public struct Row: Sendable, Equatable {
        public let name: String
        public let a: TensorLayout?
        public let b: TensorLayout?
        /// nil when the shapes differ or a side is missing.
        public let sqnrDB: Double?
        public let maxAbs: Double?
        public let cosine: Double?
        public var identical: Bool { sqnrDB == .infinity }
    }

    public var rows: [Row] = []

    public var onlyInA: [Row] { rows.filter { $0.b == nil } }
    public var onlyInB: [Row] { rows.filter { $0.a == nil } }
    /// Tensors in both, worst (lowest SQNR) first.
    public var worst: [Row] { rows.filter { $0.sqnrDB != nil }.sorted { ($0.sqnrDB ?? 0) < ($1.sqnrDB ?? 0) } }

    /// Tensors are decoded to f32 by `BlockCodec` and compared one at a time.
    public static func compare(_ a: any TensorSource, _ b: any TensorSource) throws -> TensorDiff {
        var diff = TensorDiff()
        var bByName: [ExactKey: TensorDescriptor] = [:]
        for d in b.descriptors { bByName[ExactKey(d.name)] = d }
        var seen = Set<ExactKey>()
        for da in a.descriptors {
            seen.insert(ExactKey(da.name))
            guard let db = bByName[ExactKey(da.name)] else {
                diff.rows.append(Row(name: da.name, a: da.layout, b: nil, sqnrDB: nil, maxAbs: nil, cosine: nil))
                continue
            }
            guard da.layout.shape == db.layout.shape else {
                diff.rows.append(Row(name: da.name, a: da.layout, b: db.layout, sqnrDB: nil, maxAbs: nil, cosine: nil))
                continue
            }
            let x = try values(a, da), y = try values(b, db)
            a.evict(da.name)
            b.evict(db.name)
            let (sqnr, maxAbs, cos) = Self.stats(x, y)
            diff.rows.append(Row(name: da.name, a: da.layout, b: db.layout, sqnrDB: sqnr, maxAbs: maxAbs, cosine: cos))
        }
        for db in b.descriptors where !seen.contains(ExactKey(db.name)) {
            diff.rows.append(Row(name: db.name, a: nil, b: db.layout, sqnrDB: nil, maxAbs: nil, cosine: nil))
        }
        return diff
    }

    /// A tensor's values as f32; errors name the source file.
    static func values(_ source: any TensorSource, _ d: TensorDescriptor) throws -> [Float] {
        let buffer = try source.load(d.name)
        return try withPath(source.path) { try buffer.withBytes { try BlockCodec.floats($0, layout: d.layout, name: d.name) } }
    }

    /// SQNR of `y` against reference `x` in dB (+∞ when identical; −∞ when the reference is all zeros and `y` is not:
    /// no signal, only noise), max |x − y|, cosine similarity.
    static func stats(_ x: [Float], _ y: [Float]) -> (Double, Double, Double) {
        var sig = 0.0, noise = 0.0, maxAbs = 0.0, dot = 0.0, yy = 0.0
        for (a, b) in zip(x, y) {
            let da = Double(a), db = Double(b), d = db - da
            sig += da * da
            noise += d * d
            maxAbs = max(maxAbs, abs(d))
            dot += da * db
            yy += db * db
        }
        let sqnr = noise == 0 ? Double.infinity : 10 * log10Safe(sig / noise)
        let cos = sig > 0 && yy > 0 ? dot / (sig.squareRoot() * yy.squareRoot()) : (sig == yy ? 1 : 0)
        return (sqnr, maxAbs, cos)
    }

    static func log10Safe(_ v: Double) -> Double { v > 0 ? log10Value(v) : -Double.infinity }
}
