import FuzzSupport
import IngotInterop

/// libFuzzer entry for the safetensors reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzTensorSource(data, size, path: "fuzz.safetensors") { try SafetensorsFile(mapped: $0) }
    return 0
}
