import IngotFormat

/// The GGML tensor types Ingot reads and writes, by their GGUF type id. Every other id is refused with its name
/// (`GGUFTensorType.name(ofID:)`) when known.
public enum GGUFTensorType: UInt32, Sendable, CaseIterable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, iq4_NL = 20
    case i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, bf16 = 30

    /// ggml's name ("Q4_K", "BF16", …).
    public var name: String { Self.name(ofID: rawValue) ?? "?" }

    /// Elements per block: 1 for scalar types, 32 for the legacy quants, 256 for K-quants.
    public var blockSize: Int {
        switch self {
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .iq4_NL: 32
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K: 256
        default: 1
        }
    }

    /// Bytes per block (ggml's `type_size`).
    public var typeSize: Int {
        switch self {
        case .f32, .i32: 4
        case .f16, .bf16, .i16: 2
        case .f64, .i64: 8
        case .i8: 1
        case .q4_0: 18  // f16 d, 16 bytes of nibbles
        case .q4_1: 20  // f16 d, f16 m, 16 bytes
        case .q5_0: 22  // f16 d, 4 bytes of fifth bits, 16 bytes
        case .q5_1: 24  // f16 d, f16 m, 4 + 16 bytes
        case .q8_0: 34  // f16 d, 32 int8
        case .q2_K: 84  // 16 bytes of 4-bit scale/min pairs, 64 bytes of 2-bit codes, f16 d, f16 dmin
        case .q3_K: 110  // 32 bytes of high bits, 64 bytes of 2-bit codes, 12 bytes of scales, f16 d
        case .q4_K: 144  // f16 d, f16 dmin, 12 bytes of scales, 128 bytes of nibbles
        case .q5_K: 176  // as Q4_K plus 32 bytes of fifth bits
        case .iq4_NL: 18  // f16 d, 16 bytes of 4-bit table indices
        case .q6_K: 210  // 128 bytes low nibbles, 64 bytes high bits, 16 int8 scales, f16 d
        }
    }

    /// What Ingot exposes: the same bytes (zero-copy) as the Ingot dtype of the same layout.
    public var ingotDType: DType {
        switch self {
        case .f32: .f32
        case .f16: .f16
        case .bf16: .bf16
        case .f64: .f64
        case .i8: .i8
        case .i16: .i16
        case .i32: .i32
        case .i64: .i64
        case .q8_0: .q8_0
        case .q4_0: .q4_0
        case .q4_1: .q4_1
        case .q5_0: .q5_0
        case .q5_1: .q5_1
        case .q2_K: .q2_k
        case .q3_K: .q3_k
        case .q4_K: .q4_k
        case .q5_K: .q5_k
        case .q6_K: .q6_k
        case .iq4_NL: .iq4_nl
        }
    }

    /// The GGML type storing an Ingot dtype unchanged: q-types only with group size 32 (GGUF's block size);
    /// nil when there is none (u8, bool, other group sizes).
    public static func storing(_ dtype: DType, groupSize: Int?) -> GGUFTensorType? {
        switch dtype {
        case .f32: .f32
        case .f16: .f16
        case .bf16: .bf16
        case .f64: .f64
        case .i8: .i8
        case .i16: .i16
        case .i32: .i32
        case .i64: .i64
        case .q8_0: groupSize == 32 ? .q8_0 : nil
        case .q4_0: groupSize == 32 ? .q4_0 : nil
        case .q4_1: groupSize == 32 ? .q4_1 : nil
        case .q5_0, .q5_1, .q2_k, .q3_k, .q4_k, .q5_k, .q6_k, .iq4_nl: dtype.ggmlBlockType.flatMap { GGUFTensorType(rawValue: $0) }
        case .u8, .bool: nil
        }
    }

    /// ggml's name of any type id it has ever defined (removed ones included), nil for ids it never used.
    public static func name(ofID id: UInt32) -> String? {
        switch id {
        case 0: "F32"
        case 1: "F16"
        case 2: "Q4_0"
        case 3: "Q4_1"
        case 4: "Q4_2 (removed)"
        case 5: "Q4_3 (removed)"
        case 6: "Q5_0"
        case 7: "Q5_1"
        case 8: "Q8_0"
        case 9: "Q8_1"
        case 10: "Q2_K"
        case 11: "Q3_K"
        case 12: "Q4_K"
        case 13: "Q5_K"
        case 14: "Q6_K"
        case 15: "Q8_K"
        case 16: "IQ2_XXS"
        case 17: "IQ2_XS"
        case 18: "IQ3_XXS"
        case 19: "IQ1_S"
        case 20: "IQ4_NL"
        case 21: "IQ3_S"
        case 22: "IQ2_S"
        case 23: "IQ4_XS"
        case 24: "I8"
        case 25: "I16"
        case 26: "I32"
        case 27: "I64"
        case 28: "F64"
        case 29: "IQ1_M"
        case 30: "BF16"
        case 31: "Q4_0_4_4 (removed)"
        case 32: "Q4_0_4_8 (removed)"
        case 33: "Q4_0_8_8 (removed)"
        case 34: "TQ1_0"
        case 35: "TQ2_0"
        case 36: "IQ4_NL_4_4 (removed)"
        case 37: "IQ4_NL_4_8 (removed)"
        case 38: "IQ4_NL_8_8 (removed)"
        case 39: "MXFP4"
        case 40: "NVFP4"
        case 41: "Q1_0"
        default: nil
        }
    }
}
