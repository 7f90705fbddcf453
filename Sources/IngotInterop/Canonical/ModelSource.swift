import IngotFormat
#if canImport(Glibc)
import Glibc
#endif

/// Opens anything `ingot convert` accepts as a model: a Hugging Face directory, or any single file
/// `openTensorSource` reads.
///
/// A model has tensors. An empty safetensors file (legal for the safetensors crate), an `.npz` of
/// `numpy.savez()` with no arrays, a `torch.save({})` checkpoint or a directory whose shards hold nothing are valid
/// files but not models: refused with `SourceOpenError.noTensors` rather than reported as "0 tensors" and success.
/// Two formats may hold zero tensors as models: GGUF (llama.cpp's vocab-only files carry a tokenizer and no
/// weights) and Ingot (what such a GGUF converts to).
public func openModelSource(path: String) throws -> any TensorSource {
    let source: any TensorSource
    if isDirectory(path) {
        source = try shardIndex(in: path).map { try ShardedIngotFile(indexPath: $0) } ?? HFDirectory(path: path)
    } else {
        let file = try openTensorSource(path: path)
        // GGUF names and layouts are llama.cpp's: map them onto the canonical layout (specs/canonical.md).
        source = try (file as? GGUFFile).map { try CanonicalGGUFSource($0) } ?? file
    }
    if source.descriptors.isEmpty, !tensorlessModelFormats.contains(source.formatName) {
        throw FileError(path: path, SourceOpenError.noTensors(format: source.formatName))
    }
    return source
}

/// The sharded Ingot model in directory `dir`: its one `*.ingot.index.json` (an error when there are several), nil
/// when there is none.
public func shardIndex(in dir: String) throws -> String? {
    let base = dir.hasSuffix("/") ? dir : dir + "/"
    var found = (directoryEntries(base) ?? []).filter {
        $0.hasSuffix(IngotShardIndex.suffix) && $0.count > IngotShardIndex.suffix.count
    }
    found.sort()
    guard found.count <= 1 else { throw FileError(path: dir, ShardError.ambiguousDirectory(found)) }
    return found.first.map { base + $0 }
}

/// The formats whose files may be models without tensors (see `openModelSource`).
let tensorlessModelFormats: Set<String> = ["gguf", "ingot"]
