import IngotFormat

/// The inflate budget of the zip-based targets: the machine's `MemoryBudget` is sized for real models, but libFuzzer
/// (run with -rss_limit_mb=2048, whose malloc limit follows it) would report a bomb the readers accept on a large
/// machine as an out-of-memory crash. 1 GiB keeps the same rule below the fuzzer's own limit.
public let fuzzInflateLimit = 1 << 30

/// What every reader's fuzz target does: copy the input into an in-memory "mapping", open it with `open`, load
/// every tensor (the first `limit`) and decode block-quantized ones to f32, so the C block decoders (q8_0 … K-quants)
/// see hostile bytes too. Errors are the expected outcome for most inputs; a trap, crash or hang is the bug being
/// hunted.
public func fuzzTensorSource(_ data: UnsafePointer<UInt8>, _ size: Int, path: String, limit: Int = .max,
                             open: (MappedFile) throws -> any TensorSource) {
    let mapped = MappedFile(copying: UnsafeRawBufferPointer(start: data, count: size), path: path)
    guard let source = try? open(mapped) else { return }
    for d in source.descriptors.prefix(limit) {
        guard let b = try? source.load(d.name) else { continue }
        // Capped so a huge declared tensor in a small input cannot exhaust the fuzzer's memory.
        if d.layout.dtype.isBlockQuantized, d.layout.elementCount <= 1 << 24 {
            _ = try? b.withBytes { try BlockCodec.floats($0, layout: d.layout, name: d.name, threads: 1) }
        }
    }
}
