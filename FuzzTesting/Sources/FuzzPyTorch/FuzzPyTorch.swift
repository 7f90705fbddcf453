import FuzzSupport
import IngotInterop

/// libFuzzer entry for the PyTorch checkpoint reader.
///
/// An input that starts like a zip is opened as it is (the container, byteorder and storage checks). Mutations of a
/// real checkpoint's data.pkl would almost all stop at its CRC-32, so an input that starts like a pickle (0x80)
/// is first wrapped as `archive/data.pkl` in a checkpoint with valid CRCs and eight 64-byte storages `data/0`…`7`:
/// that reaches the pickle machine, the state-dict walk, and the view checks and copies.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPyTorch(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let limits = ZipLimits(maxInflatedBytes: fuzzInflateLimit)
    guard size > 0, data[0] == 0x80 else {
        fuzzTensorSource(data, size, path: "fuzz.pt") { try PyTorchCheckpoint(mapped: $0, limits: limits) }
        return 0
    }
    let pickle = Array(UnsafeBufferPointer(start: data, count: size))
    var members: [(String, [UInt8])] = [("archive/data.pkl", pickle), ("archive/byteorder", Array("little".utf8))]
    for k in 0..<8 {
        members.append(("archive/data/\(k)", (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ k) }))
    }
    let zip = StoredZip.build(members)
    zip.withUnsafeBufferPointer { b in
        guard let base = b.baseAddress else { return }
        fuzzTensorSource(base, b.count, path: "fuzz.pt") { try PyTorchCheckpoint(mapped: $0, limits: limits) }
    }
    return 0
}
