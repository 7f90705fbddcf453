import FuzzSupport
import IngotInterop

/// libFuzzer entry for the npy reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNpy(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzTensorSource(data, size, path: "fuzz.npy") { try NpyFile(mapped: $0) }
    return 0
}
