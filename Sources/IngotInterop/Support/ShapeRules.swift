import IngotFormat

/// Turns a shape read from a foreign file into a `TensorLayout`, reporting which rule it breaks in terms each
/// reader maps onto its own error enum. Checks happen here, before `TensorLayout.init`, so that init never sees a
/// shape it would reject.
enum ShapeRules {
    enum Problem: Error, Equatable {
        case negative(Int)
        case tooManyDimensions(Int)
        /// Element count or byte count beyond what Ingot can address (`TensorLayout` caps bytes at Int.max / 2).
        case overflow
    }

    static func layout(name: String, dtype: DType, shape: [Int]) -> Result<TensorLayout, Problem> {
        guard shape.count <= Limits.maxRank else { return .failure(.tooManyDimensions(shape.count)) }
        var count = 1
        for d in shape {
            guard d >= 0 else { return .failure(.negative(d)) }
            guard let c = Checked.mul(count, d) else { return .failure(.overflow) }
            count = c
        }
        guard let size = dtype.scalarSize, let bytes = Checked.mul(count, size), bytes <= Int.max / 2,
            let layout = try? TensorLayout(name: name, dtype: dtype, shape: shape, groupSize: nil)
        else { return .failure(.overflow) }
        return .success(layout)
    }

    static func reason(_ p: Problem) -> String {
        switch p {
        case let .negative(d): "negative dimension \(d)"
        case let .tooManyDimensions(n): Limits.rankExceeded(n)
        case .overflow: "size overflows"
        }
    }
}
