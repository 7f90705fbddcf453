import IngotFormat

/// Why a tensor cannot be quantized or a block buffer cannot be decoded. One case per rule; `description` is the
/// one line a CLI prints.
///
/// Policy: input with NaN or infinity is refused, never quantized into garbage; a group whose scale does not fit
/// f16 is refused with its index, so a caller can keep that tensor in float.
public enum QuantizationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The dtype is not a block-quantized type (q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl, q2_k … q6_k).
    case unsupportedDType(tensor: String, dtype: DType)
    /// The group size is odd or outside [2, `Limits.maxGroupSize`].
    case badGroupSize(tensor: String, groupSize: Int)
    /// The last dimension (row length) is not a multiple of the group size.
    case rowNotDivisible(tensor: String, rowLength: Int, groupSize: Int)
    /// The shape cannot be block-quantized: a scalar, a negative dimension, rank over 8, or a size overflow.
    case badShape(tensor: String, reason: String)
    /// The number of values differs from the element count of the shape.
    case valueCountMismatch(tensor: String, expected: Int, got: Int)
    /// The input holds NaN or ±infinity; `index` is the first such element in row-major order.
    case nonFinite(tensor: String, index: Int)
    /// Group `group` (elements group·G ..< (group+1)·G in row-major order) needs a scale, or a q4_1 minimum, beyond
    /// the largest f16 (65504). The reference rule decides, for both methods.
    case scaleOverflow(tensor: String, group: Int, groupSize: Int)
    /// The importance vector does not have one weight per column.
    case importanceLength(tensor: String, expected: Int, got: Int)
    /// An importance weight is negative, NaN or infinite; `index` is the first such column.
    case badImportance(tensor: String, index: Int)
    /// Importance weights were given with `QuantMethod.ref`, which has no error to weight.
    case importanceNeedsSearch(tensor: String)
    /// `dequantize` into a buffer, or an error measurement, with the wrong number of floats.
    case outputCountMismatch(expected: Int, got: Int)

    public var description: String {
        switch self {
        case let .unsupportedDType(t, d):
            "tensor \(quoted(t)): \(d.rawValue) is not a block-quantized type (q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl, q2_k … q6_k)"
        case let .badGroupSize(t, g):
            "tensor \(quoted(t)): group size \(g) is not an even number in [2, \(Limits.maxGroupSize)]"
        case let .rowNotDivisible(t, n, g):
            "tensor \(quoted(t)): row length \(n) is not a multiple of the group size \(g)"
        case let .badShape(t, r): "tensor \(quoted(t)): cannot block-quantize: \(r)"
        case let .valueCountMismatch(t, e, g): "tensor \(quoted(t)): shape has \(e) elements but \(g) values were given"
        case let .nonFinite(t, i):
            "tensor \(quoted(t)): element \(i) is NaN or infinite; refusing to quantize "
                + "(fix the weights or keep the tensor in float)"
        case let .scaleOverflow(t, grp, g):
            "tensor \(quoted(t)): group \(grp) (elements \(grp * g)..<\(grp * g + g)) needs a scale beyond f16 range; "
                + "keep this tensor in float"
        case let .importanceLength(t, e, g):
            "tensor \(quoted(t)): importance has \(g) weights, the row length is \(e)"
        case let .badImportance(t, i): "tensor \(quoted(t)): importance weight \(i) is negative, NaN or infinite"
        case let .importanceNeedsSearch(t): "tensor \(quoted(t)): importance weights need the search method"
        case let .outputCountMismatch(e, g): "buffer holds \(g) floats, \(e) are needed"
        }
    }
}
