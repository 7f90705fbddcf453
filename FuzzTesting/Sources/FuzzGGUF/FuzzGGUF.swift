import FuzzSupport
import IngotInterop

/// libFuzzer entry for the GGUF reader: opens the input, then loads every tensor (dequantizing the K-quant and
/// Q5 types), so the header parser, the layout checks and the C dequantizers all see hostile bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGGUF(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzTensorSource(data, size, path: "fuzz.gguf") { try GGUFFile(mapped: $0) }
    return 0
}
