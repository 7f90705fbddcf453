import IngotFormat
import IngotInterop

/// libFuzzer entry for the importance-matrix reader: both layouts (GGUF by magic, else legacy .dat), then the
/// per-column means every quantizer would take.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImatrix(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let mapped = MappedFile(copying: UnsafeRawBufferPointer(start: data, count: size), path: "fuzz.imatrix")
    guard let m = try? ImatrixFile.read(mapped: mapped) else { return 0 }
    for e in m.entries { _ = e.meanSquares }
    return 0
}
