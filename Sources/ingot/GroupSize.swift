import ArgumentParser
import IngotQuant

/// `--group-size`: the sizes GGUF-style tools use, or one group per row.
enum GroupSize: String, ExpressibleByArgument, CaseIterable {
    case g32 = "32", g64 = "64", g128 = "128", g256 = "256", row

    var value: Int {
        switch self {
        case .g32: 32
        case .g64: 64
        case .g128: 128
        case .g256: 256
        case .row: QuantPolicy.wholeRow
        }
    }
}
