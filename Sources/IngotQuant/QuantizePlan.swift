internal import CIngotKernels
import IngotFormat

/// A quantization request checked against every rule before any work starts: the kernels trust what it holds.
struct QuantizePlan {
    let layout: TensorLayout
    /// The C quantizers of the dtype.
    let kernel: QuantKernel
    let groupSize: Int
    let groupCount: Int
    let groupsPerRow: Int
    let blockBytes: Int
    /// The importance vector scaled so its largest weight is 1 (keeps the kernels' weighted sums far from
    /// overflow and underflow); nil for unweighted.
    let weights: [Float]?

    init(name: String, shape: [Int], valueCount: Int, options: QuantizeOptions) throws(QuantizationError) {
        let g = options.groupSize
        kernel = try QuantKernel(options.dtype, tensor: name)
        guard g >= 2, g <= Limits.maxGroupSize, g % 2 == 0, options.dtype.fixedGroupSize.map({ $0 == g }) ?? true else {
            throw .badGroupSize(tensor: name, groupSize: g)
        }
        guard let rowLength = shape.last else {
            throw .badShape(tensor: name, reason: "a scalar has no rows to divide into groups")
        }
        if rowLength >= 0, rowLength % g != 0 {
            throw .rowNotDivisible(tensor: name, rowLength: rowLength, groupSize: g)
        }
        do {
            layout = try TensorLayout(name: name, dtype: options.dtype, shape: shape, groupSize: g)
        } catch {
            // Group size and divisibility were checked above; what remains is the shape itself.
            switch error {
            case let .badShape(_, reason): throw .badShape(tensor: name, reason: reason)
            case .sizeOverflow: throw .badShape(tensor: name, reason: "the element count or byte size overflows")
            default: throw .badShape(tensor: name, reason: error.description)
            }
        }
        guard valueCount == layout.elementCount else {
            throw .valueCountMismatch(tensor: name, expected: layout.elementCount, got: valueCount)
        }
        groupSize = g
        groupCount = layout.elementCount / g
        groupsPerRow = rowLength / g
        blockBytes = layout.unitBytes

        if let importance = options.importance {
            guard options.method == .search else { throw .importanceNeedsSearch(tensor: name) }
            guard importance.count == rowLength else {
                throw .importanceLength(tensor: name, expected: rowLength, got: importance.count)
            }
            if let bad = importance.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
                throw .badImportance(tensor: name, index: bad)
            }
            let top = importance.max() ?? 0
            weights = top > 0 ? importance.map { $0 / top } : nil
        } else {
            weights = nil
        }
    }
}
