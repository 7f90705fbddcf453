import FuzzSupport
import IngotInterop

/// libFuzzer entry for the GGUF reader: opens the input, then loads and decodes every tensor (the K-quant, Q5 and
/// IQ4_NL blocks through the C decoders), so the header parser, the layout checks and the decoders all see hostile
/// bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGGUF(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzTensorSource(data, size, path: "fuzz.gguf") { try GGUFFile(mapped: $0) }
    return 0
}
