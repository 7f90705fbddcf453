import IngotFormat

/// Opens any tensor file this build reads, choosing the reader by the first bytes:
/// Ingot's magic → `IngotFile`; `\x93NUMPY` → `NpyFile`; a zip (`PK\x03\x04`, or `PK\x05\x06` when empty) named
/// `.pt`/`.pth`/`.bin`/`.ckpt` or starting with `<folder>/data.pkl` → `PyTorchCheckpoint` (so that a `.bin` without
/// a PyTorch layout is a PyTorch error, never an `.npz`); any other zip → `NpzFile`.
/// safetensors has no magic, so it is chosen by the `.safetensors` extension, or — for extensionless files such
/// as blobs in a model cache — by its shape: an 8-byte length followed by `{`. A `.npy`, `.npz` or `.ingot` file
/// whose magic is wrong goes to its reader anyway, so the error names the broken rule.
/// Every error comes out as a `FileError` carrying `path`.
public func openTensorSource(path: String) throws -> any TensorSource {
    let f = try withPath(path) { try MappedFile(path: path) }
    let b = f.bytes
    if b.hasPrefix(Preamble.magic) || path.lowercased().hasSuffix(".ingot") { return try openIngot(mapped: f) }
    if path.hasSuffix(IngotShardIndex.suffix) { return try ShardedIngotFile(indexPath: path) }
    if b.hasPrefix(NpyArray.magic) { return try NpyFile(mapped: f) }
    if PyTorchCheckpoint.recognizes(b, path: path) { return try PyTorchCheckpoint(mapped: f) }
    if b.hasPrefix(GGUFFile.magic) { return try GGUFFile(mapped: f) }
    if b.hasPrefix([0x50, 0x4B, 0x03, 0x04]) || b.hasPrefix([0x50, 0x4B, 0x05, 0x06]) { return try NpzFile(mapped: f) }
    let lower = path.lowercased()
    if lower.hasSuffix(".gguf") { return try GGUFFile(mapped: f) }
    if lower.hasSuffix(".safetensors") { return try SafetensorsFile(mapped: f) }
    if lower.hasSuffix(".npy") { return try NpyFile(mapped: f) }
    if lower.hasSuffix(".npz") { return try NpzFile(mapped: f) }
    if looksLikeSafetensors(b) { return try SafetensorsFile(mapped: f) }
    throw FileError(path: path, SourceOpenError.unrecognisedFormat)
}

/// An Ingot file; a shard of a sharded model opens the whole model through the index beside it, or alone when
/// there is none — each with a warning saying which.
func openIngot(mapped f: MappedFile) throws -> any TensorSource {
    let file = try IngotFile(mapped: f)
    guard let stamp = ShardStamp(metadata: file.metadata) else { return file }
    let name = baseName(f.path)
    guard let index = ShardedIngotFile.indexPath(besideShard: file) else {
        return ShardedIngotFile(lone: file, warning: "\(name) is shard \(stamp.number) of \(stamp.count) and \(stamp.index) is not beside it: this shard's tensors only")
    }
    return try ShardedIngotFile(indexPath: index, warnings: [
        "\(name) is shard \(stamp.number) of \(stamp.count): opened the whole model through \(stamp.index)",
    ])
}

/// An 8-byte little-endian length within the safetensors cap, then a JSON object.
private func looksLikeSafetensors(_ b: UnsafeRawBufferPointer) -> Bool {
    guard let n = b.le(UInt64.self, at: 0), n >= 2, n <= UInt64(SafetensorsHeader.maxHeaderBytes), b.count > 8 else {
        return false
    }
    return b[8] == UInt8(ascii: "{")
}
