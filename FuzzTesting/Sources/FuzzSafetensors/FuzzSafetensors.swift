import IngotFormat
import IngotInterop

/// libFuzzer entry for the safetensors reader: any bytes either open (then every tensor is loaded) or fail with an
/// error — never a trap, crash, hang or unbounded allocation.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let mapped = MappedFile(copying: UnsafeRawBufferPointer(start: data, count: size), path: "fuzz.safetensors")
    guard let source = try? SafetensorsFile(mapped: mapped) else { return 0 }
    for d in source.descriptors { _ = try? source.load(d.name) }
    return 0
}
