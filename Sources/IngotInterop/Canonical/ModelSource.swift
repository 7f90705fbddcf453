import IngotFormat
#if canImport(Glibc)
import Glibc
#endif

/// Opens anything `ingot convert` accepts as a model: a Hugging Face directory, or any single file
/// `openTensorSource` reads.
public func openModelSource(path: String) throws -> any TensorSource {
    var st = stat()
    if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return try HFDirectory(path: path) }
    let source = try openTensorSource(path: path)
    // GGUF names and layouts are llama.cpp's: map them onto the canonical layout (specs/canonical.md).
    if let g = source as? GGUFFile { return try CanonicalGGUFSource(g) }
    return source
}
