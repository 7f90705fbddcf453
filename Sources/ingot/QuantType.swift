import ArgumentParser
import IngotFormat
import IngotQuant

/// `--quantize`: a llama.cpp mix (`q4_k_m`, …: per-tensor types by llama-quantize's rules) or one block type for
/// every quantizable tensor (q8_0, q4_0, q4_1 at any group size; q5_0, q5_1, iq4_nl).
enum QuantType: ExpressibleByArgument, Equatable {
    case uniform(DType)
    case recipe(QuantRecipe)

    static let uniformTypes: [DType] = [.q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .iq4_nl]

    init?(argument: String) {
        let a = argument.lowercased()
        if let r = QuantRecipe(rawValue: a) {
            self = .recipe(r)
        } else if let t = DType(rawValue: a), Self.uniformTypes.contains(t) {
            self = .uniform(t)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { uniformTypes.map(\.rawValue) + QuantRecipe.allCases.map(\.rawValue) }

    var hasFreeGroupSize: Bool {
        if case let .uniform(t) = self { return t.fixedGroupSize == nil }
        return false
    }
}

extension QuantMethod: ExpressibleByArgument {}
