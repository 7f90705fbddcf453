import IngotKit

extension CheckReport: Rendered {
    var text: String {
        switch integrity {
        case let .checksums(bytes):
            let where_ = shards.map { " in \($0) shards (index and every shard header match)" } ?? ""
            return "\(path): OK — layout valid, \(tensors) tensor checksums match\(where_) (\(Fmt.bytes(bytes)) verified)"
        case .crc32: return "\(path): OK — layout valid, \(tensors) tensors readable (CRC-32 of every member verified)"
        case .none: return "\(path): OK — layout valid, \(tensors) tensors readable (\(format) has no checksums)"
        }
    }
}
