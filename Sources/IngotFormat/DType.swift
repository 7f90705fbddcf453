/// Element types of the container. The raw value is the string stored in the header.
///
/// Byte sizes follow one rule for every type (spec "Dtypes"): a tensor is a sequence of *units*; a scalar type's
/// unit is one element, a block type's unit is one group of `groupSize` consecutive elements along the last axis.
/// bytes = (element count / elements per unit) × bytes per unit.
public enum DType: String, Sendable, CaseIterable, Codable {
    case f32, f16, bf16, f64, i8, i16, i32, i64, u8, bool
    /// Block-quantized types (layouts in `specs/quant.md`): need a group size.
    case q8_0, q4_0, q4_1
    /// ggml's fixed-size block types (layouts in `specs/quant.md` §9): 5-bit blocks of 32 and K-quant super-blocks
    /// of 256. Their group size is part of the type (`fixedGroupSize`); the bytes are GGUF's, so they copy into and
    /// out of GGUF files unchanged.
    case q5_0, q5_1, q2_k, q3_k, q4_k, q5_k, q6_k
    /// ggml's IQ4_NL: blocks of 32 with one f16 scale and 4-bit indices into a fixed non-uniform table of 16 levels
    /// (llama.cpp's fallback for 2- and 3-bit K-quants on rows that are not whole super-blocks).
    case iq4_nl

    public var isBlockQuantized: Bool { scalarSize == nil }

    /// The only group size a fixed-layout block type allows; nil for scalar types and for q8_0/q4_0/q4_1, whose
    /// group size is free (even, dividing the row).
    public var fixedGroupSize: Int? {
        switch self {
        case .q5_0, .q5_1, .iq4_nl: 32
        case .q2_k, .q3_k, .q4_k, .q5_k, .q6_k: 256
        default: nil
        }
    }

    /// ggml's type id of a fixed-layout block type (the id GGUF stores), nil for every other dtype.
    public var ggmlBlockType: UInt32? {
        switch self {
        case .q5_0: 6
        case .q5_1: 7
        case .q2_k: 10
        case .q3_k: 11
        case .q4_k: 12
        case .q5_k: 13
        case .q6_k: 14
        case .iq4_nl: 20
        default: nil
        }
    }

    public var isFloat: Bool {
        switch self {
        case .f32, .f16, .bf16, .f64: true
        default: false
        }
    }

    public var isInteger: Bool { !isFloat && !isBlockQuantized }

    /// Bytes per element of a scalar type; nil for block types.
    public var scalarSize: Int? {
        switch self {
        case .f32, .i32: 4
        case .f16, .bf16, .i16: 2
        case .f64, .i64: 8
        case .i8, .u8, .bool: 1
        case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q2_k, .q3_k, .q4_k, .q5_k, .q6_k, .iq4_nl: nil
        }
    }

    /// Bytes per unit: one element for scalar types, one block of `groupSize` elements for block types.
    public func unitBytes(groupSize: Int) -> Int {
        switch self {
        case .q8_0: 2 + groupSize  // f16 scale + G int8
        case .q4_0: 2 + groupSize / 2  // f16 scale + G nibbles
        case .q4_1: 4 + groupSize / 2  // f16 scale + f16 minimum + G nibbles
        // Fixed layouts (ggml's type sizes); `groupSize` is always `fixedGroupSize` for these.
        case .q5_0: 22  // f16 d, 32 fifth bits, 16 bytes of nibbles
        case .q5_1: 24  // f16 d, f16 m, 32 fifth bits, 16 bytes of nibbles
        case .q2_k: 84  // 16 bytes of 4-bit scale/min pairs, 64 bytes of 2-bit codes, f16 d, f16 dmin
        case .q3_k: 110  // 32 bytes of high bits, 64 bytes of 2-bit codes, 12 bytes of 6-bit scales, f16 d
        case .q4_k: 144  // f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles
        case .q5_k: 176  // as q4_k plus 32 bytes of fifth bits
        case .q6_k: 210  // 128 bytes of low nibbles, 64 of high bits, 16 int8 scales, f16 d
        case .iq4_nl: 18  // f16 d, 16 bytes of 4-bit table indices
        default: scalarSize ?? 1
        }
    }

    /// Bits per weight including scales, for `inspect`.
    public func bitsPerWeight(groupSize: Int) -> Double {
        isBlockQuantized ? Double(unitBytes(groupSize: groupSize) * 8) / Double(groupSize) : Double((scalarSize ?? 1) * 8)
    }

    /// The element layout the byte-grouping filter understands: the width of a float value, else nil.
    public var floatWidth: Int? { isFloat ? scalarSize : nil }
}

/// A tensor's type and shape, with its sizes computed under overflow checks.
public struct TensorLayout: Sendable, Equatable {
    public let dtype: DType
    public let shape: [Int]
    /// Required for block types, nil otherwise.
    public let groupSize: Int?
    public let elementCount: Int
    public let byteCount: Int

    /// Validates dtype/shape/group size together; `name` only labels the error.
    public init(name: String, dtype: DType, shape: [Int], groupSize: Int?) throws(IngotError) {
        guard shape.count <= Limits.maxRank else {
            throw .badShape(tensor: name, reason: Limits.rankExceeded(shape.count))
        }
        for d in shape where d < 0 { throw .badShape(tensor: name, reason: "negative dimension \(d)") }
        // A zero dimension makes the count 0 whatever the others are (no overflow from [2^62, 2^62, 0]).
        var count = shape.contains(0) ? 0 : 1
        if count > 0 {
            for d in shape {
                guard let c = Checked.mul(count, d) else { throw .sizeOverflow(tensor: name) }
                count = c
            }
        }
        let unitElements: Int
        if dtype.isBlockQuantized {
            guard let g = groupSize else { throw .badGroupSize(tensor: name, reason: "\(dtype) needs group_size") }
            if let fixed = dtype.fixedGroupSize {
                guard g == fixed else { throw .badGroupSize(tensor: name, reason: "\(dtype) blocks hold \(fixed) elements, not \(g)") }
            }
            guard g >= 2, g <= Limits.maxGroupSize, g % 2 == 0 else {
                throw .badGroupSize(tensor: name, reason: "\(g) is not an even number in [2, \(Limits.maxGroupSize)]")
            }
            guard let last = shape.last else { throw .badGroupSize(tensor: name, reason: "a scalar cannot be blocked") }
            guard last % g == 0 else {
                throw .badGroupSize(tensor: name, reason: "\(g) does not divide the last dimension \(last)")
            }
            unitElements = g
        } else {
            guard groupSize == nil else {
                throw .badGroupSize(tensor: name, reason: "\(dtype) is not a block type")
            }
            unitElements = 1
        }
        guard let bytes = Checked.mul(count / unitElements, dtype.unitBytes(groupSize: unitElements)),
            bytes <= Int.max / 2
        else { throw .sizeOverflow(tensor: name) }
        self.dtype = dtype
        self.shape = shape
        self.groupSize = groupSize
        self.elementCount = count
        self.byteCount = bytes
    }

    public var unitBytes: Int { dtype.unitBytes(groupSize: groupSize ?? 1) }
}
