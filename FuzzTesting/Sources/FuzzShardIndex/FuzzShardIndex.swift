import IngotFormat

/// libFuzzer entry for sharded-model indexes (`model.ingot.index.json`) and shard stamps: whatever parses must
/// encode and parse back to the same index (a writer/reader disagreement is a crash here, on purpose).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShardIndex(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let v = try? JSONParser.parse(bytes), let o = v.objectValue { _ = ShardStamp(metadata: o) }
    guard let index = try? IngotShardIndex(bytes: bytes) else { return 0 }
    guard let encoded = try? index.encoded() else { return 0 }  // metadata with a non-finite number cannot be written
    let again = encoded.withUnsafeBytes { try? IngotShardIndex(bytes: $0) }
    precondition(again == index, "an index does not survive its own encoding")
    return 0
}
