import Testing

@testable import IngotModel

/// Every test touches OpenBLAS, whose thread count is process-wide: the suites run one test at a time so that a
/// test asking for 2 threads never changes another's partitioning mid-run.
@Suite(.serialized) struct ModelTests {}

/// Σ(a − b)² / Σb²: the error relative to the reference's own energy.
func nmse(_ a: [Float], _ b: [Float]) -> Double {
    var num = 0.0, den = 0.0
    for (x, y) in zip(a, b) {
        let d = Double(x) - Double(y)
        num += d * d
        den += Double(y) * Double(y)
    }
    return a.count == b.count && den > 0 ? num / den : .infinity
}

func maxAbsDiff(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float { maxAbsDiff(a[...], b[...]) }

/// The first index of the largest value (torch.argmax's choice on ties).
func argmax(_ r: ArraySlice<Float>) -> Int {
    var best = r.startIndex
    for j in r.indices where r[j] > r[best] { best = j }
    return best - r.startIndex
}

/// Runs `body` and returns the `E` it threw, nil when it threw nothing or something else.
func thrown<E: Error, R>(_: E.Type, _ body: () throws -> R) -> E? {
    do { _ = try body() } catch { return error as? E }
    return nil
}
