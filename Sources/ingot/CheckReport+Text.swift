import IngotKit

extension CheckReport: Rendered {
    var text: String {
        switch integrity {
        case let .checksums(bytes): "\(path): OK — layout valid, \(tensors) tensor checksums match (\(Fmt.bytes(bytes)) verified)"
        case .crc32: "\(path): OK — layout valid, \(tensors) tensors readable (CRC-32 of every member verified)"
        case .none: "\(path): OK — layout valid, \(tensors) tensors readable (\(format) has no checksums)"
        }
    }
}
