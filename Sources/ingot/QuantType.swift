import ArgumentParser
import IngotFormat
import IngotQuant

/// `--quantize`: the block types.
enum QuantType: String, ExpressibleByArgument, CaseIterable {
    case q8_0, q4_0, q4_1

    var dtype: DType {
        switch self {
        case .q8_0: .q8_0
        case .q4_0: .q4_0
        case .q4_1: .q4_1
        }
    }
}

extension QuantMethod: ExpressibleByArgument {}
