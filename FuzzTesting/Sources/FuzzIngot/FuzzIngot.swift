import IngotFormat

/// libFuzzer entry: any bytes must either open (and then decode and verify every tensor) or fail with an error —
/// never trap, crash, hang or allocate without bound.
///
/// Random mutations almost never keep the header checksum right, so each input is also tried with the checksum
/// recomputed: that lets the fuzzer reach the JSON, schema and layout rules behind it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIngot(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    exercise(bytes)
    if bytes.count >= Preamble.size {
        let n = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self)) }
        if n <= UInt64(bytes.count - Preamble.size) {
            let sum = XXH3.hash(Array(bytes[Preamble.size..<(Preamble.size + Int(n))]))
            for i in 0..<8 { bytes[24 + i] = UInt8(truncatingIfNeeded: sum >> (8 * UInt64(i))) }
            exercise(bytes)
        }
    }
    return 0
}

func exercise(_ bytes: [UInt8]) {
    let mapped = bytes.withUnsafeBytes { MappedFile(copying: $0, path: "fuzz.ingot") }
    guard let file = try? IngotFile(mapped: mapped) else { return }
    for t in file.tensors {
        _ = try? file.verify(t, threads: 1)
        _ = try? file.loadBytes(t, range: 0..<min(t.layout.byteCount, 64), threads: 1)
    }
}
