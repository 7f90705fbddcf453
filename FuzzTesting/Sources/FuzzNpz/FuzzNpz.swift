import FuzzSupport
import IngotInterop

/// libFuzzer entry for the npz reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNpz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let limits = ZipLimits(maxInflatedBytes: fuzzInflateLimit)
    fuzzTensorSource(data, size, path: "fuzz.npz") { try NpzFile(mapped: $0, limits: limits) }
    return 0
}
