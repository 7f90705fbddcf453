import IngotFormat
import IngotInterop

/// libFuzzer entry for the npz reader: any bytes either open (then every tensor is loaded) or fail with an
/// error — never a trap, crash, hang or unbounded allocation.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNpz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let mapped = MappedFile(copying: UnsafeRawBufferPointer(start: data, count: size), path: "fuzz.npz")
    guard let source = try? NpzFile(mapped: mapped) else { return 0 }
    for d in source.descriptors { _ = try? source.load(d.name) }
    return 0
}
