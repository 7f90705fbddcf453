@testable import IngotModel

/// A provider that records how it is used: `withMatrix` nesting depth and whole-tensor reads.
final class WatchedWeights: WeightProvider {
    let base: any WeightProvider
    private(set) var depth = 0
    private(set) var maxDepth = 0
    private(set) var lent = 0
    private(set) var wholeReads: [String] = []

    init(_ base: any WeightProvider) { self.base = base }

    func shape(_ name: String) -> [Int]? { base.shape(name) }

    func matrix(_ name: String) throws -> [Float] {
        wholeReads.append(name)
        return try base.matrix(name)
    }

    func rows(_ name: String, _ rows: [Int]) throws -> [Float] { try base.rows(name, rows) }

    func withMatrix<R>(_ name: String, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        depth += 1
        maxDepth = max(maxDepth, depth)
        lent += 1
        defer { depth -= 1 }
        return try base.withMatrix(name, body)
    }
}
