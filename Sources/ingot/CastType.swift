import ArgumentParser
import IngotFormat

/// `--dtype`: the float types a tensor can be cast to.
enum CastType: String, ExpressibleByArgument, CaseIterable {
    case f32, f16, bf16

    var dtype: DType {
        switch self {
        case .f32: .f32
        case .f16: .f16
        case .bf16: .bf16
        }
    }
}
