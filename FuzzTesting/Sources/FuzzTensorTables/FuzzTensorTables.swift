import FuzzSupport
import IngotFamilies
import IngotFormat
import IngotInterop

/// libFuzzer entry for tensor tables: `TableRecipe` turns the input into a GGUF, safetensors or Ingot file with up to
/// 200,000 tensors, long or repeated names and lying counts; the file is opened (a GGUF one also through the
/// canonical mapping `ingot inspect` and `convert` use), which validates the whole table, then the first
/// `TableRecipe.walked` tensors are loaded and their names put through each family's name mappings (the names come
/// from one pattern, so later ones add nothing but time). Opening must stay linear in the table and bounded in
/// memory (libFuzzer's -timeout and -rss_limit_mb catch the rest).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTensorTables(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let (format, bytes) = TableRecipe.build(Array(UnsafeBufferPointer(start: data, count: size)))
    bytes.withUnsafeBufferPointer { b in
        guard let base = b.baseAddress else { return }
        switch format {
        case .gguf:
            fuzzTensorSource(base, b.count, path: "fuzz.gguf", limit: TableRecipe.walked) { m in
                let g = try GGUFFile(mapped: m)
                walkNames(g.descriptors)
                return try CanonicalGGUFSource(g)
            }
        case .safetensors:
            fuzzTensorSource(base, b.count, path: "fuzz.safetensors", limit: TableRecipe.walked) { m in
                let s = try SafetensorsFile(mapped: m)
                walkNames(s.descriptors)
                return s
            }
        case .ingot:
            fuzzTensorSource(base, b.count, path: "fuzz.ingot", limit: TableRecipe.walked) { m in
                let f = try IngotFile(mapped: m)
                walkNames(f.descriptors)
                return f
            }
        }
    }
    return 0
}

/// Every family's checkpoint → canonical mapping, and GGUF ↔ canonical names, on every name.
func walkNames(_ descriptors: [TensorDescriptor]) {
    for family in ModelFamilies.all {
        for d in descriptors.prefix(TableRecipe.walked) {
            _ = family.canonicalName(stored: d.name, shape: d.layout.shape)
            if let names = family.gguf {
                _ = names.canonical(fromGGUF: d.name)
                _ = names.gguf(fromCanonical: d.name)
                _ = names.looksCanonical(d.name)
            }
        }
    }
}
