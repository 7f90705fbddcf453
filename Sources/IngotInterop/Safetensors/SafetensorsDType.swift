import IngotFormat

/// The dtype codes of safetensors and how they map onto Ingot's `DType`.
enum SafetensorsDType {
    enum Lookup: Equatable {
        case supported(DType)
        /// A dtype safetensors defines that Ingot has no element type for.
        case unsupported
        case unknown
    }

    static func lookup(_ code: String) -> Lookup {
        switch code {
        case "F64": .supported(.f64)
        case "F32": .supported(.f32)
        case "F16": .supported(.f16)
        case "BF16": .supported(.bf16)
        case "I64": .supported(.i64)
        case "I32": .supported(.i32)
        case "I16": .supported(.i16)
        case "I8": .supported(.i8)
        case "U8": .supported(.u8)
        case "BOOL": .supported(.bool)
        // Every other dtype of safetensors 0.8 (the Rust crate's `Dtype`), so the error can say "unsupported"
        // rather than "unknown".
        case "U16", "U32", "U64", "C64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "F4",
            "F6_E2M3", "F6_E3M2":
            .unsupported
        default: .unknown
        }
    }

    /// The safetensors code for an Ingot dtype; nil for block-quantized types, which safetensors cannot hold.
    static func code(for dtype: DType) -> String? {
        switch dtype {
        case .f64: "F64"
        case .f32: "F32"
        case .f16: "F16"
        case .bf16: "BF16"
        case .i64: "I64"
        case .i32: "I32"
        case .i16: "I16"
        case .i8: "I8"
        case .u8: "U8"
        case .bool: "BOOL"
        case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q2_k, .q3_k, .q4_k, .q5_k, .q6_k, .iq4_nl: nil
        }
    }
}
