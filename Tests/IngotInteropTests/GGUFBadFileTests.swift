import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// Hostile GGUF files, one rule each, each with its own error. The CVE-shaped ones (anchors.md: CVE-2024-21802,
/// 21825, 21836, 23496, 23605, CVE-2025-53630, CVE-2026-27940) are marked; each once crashed or over-allocated
/// in a reader that trusted the file.
@Suite struct GGUFBadFileTests {
    // MARK: header

    @Test func wrongMagic() {
        var b = oneTensorFile()
        b[3] = UInt8(ascii: "G")
        #expect(ggufError(b) == .badMagic)
        #expect(ggufError(Array("PK\u{3}\u{4}".utf8) + [UInt8](repeating: 0, count: 40)) == .badMagic)
    }

    @Test func versionOneIsObsolete() {
        let e = ggufError(GGUFBytes(version: 1, tensors: 0, kvs: 0).bytes)
        #expect(e == .unsupportedVersion(1))
        #expect(e?.description.contains("obsolete") == true)
    }

    @Test(arguments: [UInt32(0), 4, 99, 0xFFFF_FFFF])
    func unknownVersions(_ v: UInt32) {
        #expect(ggufError(GGUFBytes(version: v, tensors: 0, kvs: 0).bytes) == .unsupportedVersion(v))
    }

    @Test func bigEndianFileIsNamedAsSuch() {
        // A big-endian v3 file's version bytes are 00 00 00 03: read little-endian, 0x03000000.
        var g = GGUFBytes(tensors: 0, kvs: 0)
        g.bytes.replaceSubrange(4..<8, with: [0, 0, 0, 3])
        #expect(ggufError(g.bytes) == .bigEndian(version: 0x0300_0000))
    }

    /// CVE-2024-21825/21836-shaped: counts trusted before anything is read.
    @Test func hugeTensorCountInATinyFile() {
        var g = GGUFBytes(tensors: 1 << 63, kvs: 0)
        g.data(136)  // 160 bytes in all
        #expect(ggufError(g.bytes) == .tooManyTensors(1 << 63))
    }

    @Test func hugeKeyValueCountInATinyFile() {
        var g = GGUFBytes(tensors: 0, kvs: 1 << 63)
        g.data(136)
        #expect(ggufError(g.bytes) == .tooManyKeyValues(1 << 63))
    }

    /// Counts under the caps but far beyond what 160 bytes can hold fail before any allocation.
    @Test func countsAtTheCapsInA160ByteFileAreTruncation() {
        var g = GGUFBytes(tensors: UInt64(GGUFLimits.maxTensors), kvs: UInt64(GGUFLimits.maxKeyValues))
        g.data(136)
        guard case let .truncated(_, offset, need, have)? = ggufError(g.bytes) else {
            Issue.record("expected truncation")
            return
        }
        #expect(offset == 24 && have == 136 && need == UInt64(GGUFLimits.maxTensors * 24 + GGUFLimits.maxKeyValues * 14))
    }

    // MARK: strings and arrays

    /// CVE-2024-21802/23496-shaped: a length of 2^64 − 1 wrapping `length + 1` into a zero-byte allocation.
    @Test func stringLengthOfTwoToTheSixtyFourMinusOne() {
        var g = GGUFBytes(tensors: 0, kvs: 1)
        g.u64(.max)
        g.data(40)
        #expect(ggufError(g.bytes) == .stringTooLong(what: "key of key-value pair 0", length: .max))

        var v = GGUFBytes(tensors: 0, kvs: 1)
        v.kv("k", type: 8, le(UInt64.max))
        #expect(ggufError(v.bytes) == .stringTooLong(what: "value of key \"k\"", length: .max))

        var t = GGUFBytes(tensors: 1, kvs: 0)
        t.u64(.max)
        t.data(40)
        #expect(ggufError(t.bytes) == .stringTooLong(what: "name of tensor info 0", length: .max))
    }

    @Test func stringLongerThanTheFileIsTruncation() {
        var g = GGUFBytes(tensors: 0, kvs: 1)
        g.u64(1000)
        g.raw(Array("key".utf8))
        g.data(10)
        #expect(ggufError(g.bytes) == .truncated(what: "key of key-value pair 0", offset: 32, need: 1000, have: 13))
    }

    /// CVE-2024-23605 / CVE-2025-53630-shaped: count × element size overflowing 64 bits.
    @Test func arrayCountTimesElementSizeOverflowing() {
        for (type, count) in [(UInt32(10), UInt64(1) << 61), (10, .max), (8, 1 << 62), (9, 1 << 62), (0, .max)] {
            var g = GGUFBytes(tensors: 0, kvs: 1)
            g.kv("a", type: 9, le(type) + le(count))
            #expect(ggufError(g.bytes) == .arrayTooLong(key: "a", count: count))
        }
    }

    /// Under the cap, the count is still bounded by the bytes left (no multiplication, no allocation first).
    @Test func arrayCountBeyondTheRemainingBytes() {
        var g = GGUFBytes(tensors: 0, kvs: 1)
        g.kv("a", type: 9, le(UInt32(8)) + le(UInt64(GGUFLimits.maxArrayCount)))
        g.data(100)
        guard case let .truncated(what, _, need, have)? = ggufError(g.bytes) else {
            Issue.record("expected truncation")
            return
        }
        #expect(what.contains("array elements") && need == UInt64(GGUFLimits.maxArrayCount) * 8 && have == 100)
    }

    @Test func arraysNestedTooDeep() {
        var value: [UInt8] = []
        for _ in 0..<GGUFLimits.maxArrayDepth { value += le(UInt32(9)) + le(UInt64(1)) }
        value += le(UInt32(0)) + le(UInt64(1)) + [7]  // the innermost array: [u8] [7]
        var ok = GGUFBytes(tensors: 0, kvs: 1)
        ok.kv("deep", type: 9, Array(value.dropFirst(12)))  // exactly maxArrayDepth levels
        #expect(throws: Never.self) { try openGGUF(ok.bytes) }
        var bad = GGUFBytes(tensors: 0, kvs: 1)
        bad.kv("deep", type: 9, value)  // one level more
        #expect(ggufError(bad.bytes) == .arrayTooDeep(key: "deep"))
    }

    @Test func invalidUTF8() {
        var k = GGUFBytes(tensors: 0, kvs: 1)
        k.u64(2)
        k.raw([0xC3, 0x28])
        k.u32(0)
        k.raw([1])
        #expect(ggufError(k.bytes) == .invalidUTF8(what: "key of key-value pair 0"))
        var t = GGUFBytes(tensors: 1, kvs: 0)
        t.u64(1)
        t.raw([0xFF])
        t.data(40)
        #expect(ggufError(t.bytes) == .invalidUTF8(what: "name of tensor info 0"))
    }

    // MARK: keys and values

    @Test func unknownValueTypeIds() {
        var g = GGUFBytes(tensors: 0, kvs: 1)
        g.kv("k", type: 13, le(UInt32(0)))
        #expect(ggufError(g.bytes) == .unknownValueType(key: "k", type: 13))
        var a = GGUFBytes(tensors: 0, kvs: 1)
        a.kv("k", type: 9, le(UInt32(0xFFFF_FFFF)) + le(UInt64(1)))
        #expect(ggufError(a.bytes) == .unknownValueType(key: "k", type: 0xFFFF_FFFF))
    }

    @Test func duplicateKeys() throws {
        var g = GGUFBytes(tensors: 0, kvs: 2)
        g.kvU32("k", 1)
        g.kvU32("k", 2)
        #expect(ggufError(g.bytes) == .duplicateKey("k"))
        // Canonically equivalent but different code points: two keys, as in Python and ggml.
        var n = GGUFBytes(tensors: 0, kvs: 2)
        n.kvU32("\u{e9}", 1)
        n.kvU32("e\u{301}", 2)
        #expect(try openGGUF(n.bytes).keyValues.count == 2)
    }

    @Test func emptyKey() {
        var g = GGUFBytes(tensors: 0, kvs: 2)
        g.kvU32("a", 1)
        g.kvU32("", 2)
        #expect(ggufError(g.bytes) == .emptyKey(index: 1))
    }

    @Test func reservedMetadataTypesKey() {
        var g = GGUFBytes(tensors: 0, kvs: 1)
        g.kvU32(GGUFMetadata.typesKey, 1)
        #expect(ggufError(g.bytes) == .reservedKey(GGUFMetadata.typesKey))
    }

    @Test func boolBytesOtherThanOneAreTrueAsInGGML() throws {
        var g = GGUFBytes(tensors: 0, kvs: 1)
        g.kv("b", type: 7, [2])
        #expect(try openGGUF(g.bytes).value(forKey: "b") == .bool(true))
    }

    // MARK: alignment

    /// CVE-2026-27940-shaped: general.alignment of another type read as a u32.
    @Test(arguments: [(UInt32(10), le(UInt64(32)), "u64"), (5, le(Int32(32)), "i32"), (8, le(UInt64(2)) + Array("32".utf8), "str"),
                      (9, le(UInt32(4)) + le(UInt64(1)) + le(UInt32(32)), "[u32]")])
    func alignmentOfTheWrongType(_ type: UInt32, _ value: [UInt8], _ name: String) {
        var g = GGUFBytes(tensors: 0, kvs: 1)
        g.kv("general.alignment", type: type, value)
        #expect(ggufError(g.bytes) == .alignmentNotU32(type: name))
    }

    @Test(arguments: [UInt32(0), 3, 48, 0xFFFF_FFFF])
    func alignmentNotAPowerOfTwo(_ a: UInt32) {
        var g = GGUFBytes(tensors: 0, kvs: 1)
        g.kvU32("general.alignment", a)
        #expect(ggufError(g.bytes) == .badAlignment(UInt64(a)))
    }

    @Test func customAlignmentPlacesTheDataSection() throws {
        var g = GGUFBytes(tensors: 1, kvs: 1)
        g.kvU32("general.alignment", 256)
        g.tensor("t", dims: [2], offset: 0)
        g.pad(256)
        g.raw(le(Float(1).bitPattern) + le(Float(2).bitPattern))
        let f = try openGGUF(g.bytes)
        #expect(f.alignment == 256 && f.dataOffset == 256)
        #expect(try f.load("t").withBytes { Array($0) } == le(Float(1).bitPattern) + le(Float(2).bitPattern))
    }

    // MARK: tensor infos

    @Test func fiveDimensions() {
        var g = GGUFBytes(tensors: 1, kvs: 0)
        g.tensor("t", dims: [1, 1, 1, 1, 1])
        #expect(ggufError(g.bytes) == .tooManyDimensions(tensor: "t", count: 5))
        var h = GGUFBytes(tensors: 1, kvs: 0)
        h.tensor("t", dims: [UInt64](repeating: 1, count: 100))
        #expect(ggufError(h.bytes) == .tooManyDimensions(tensor: "t", count: 100))
        #expect(GGUFError.tooManyDimensions(tensor: "t", count: 100).description == "tensor \"t\": rank 100 exceeds the maximum of 4")
    }

    @Test func dimensionBeyondInt64() {
        var g = GGUFBytes(tensors: 1, kvs: 0)
        g.tensor("t", dims: [4, 1 << 63])
        #expect(ggufError(g.bytes) == .dimensionTooLarge(tensor: "t", index: 1, value: 1 << 63))
    }

    @Test func elementCountOverflowing() {
        var g = GGUFBytes(tensors: 1, kvs: 0)
        g.tensor("t", dims: [1 << 32, 1 << 32])
        #expect(ggufError(g.bytes) == .sizeOverflow(tensor: "t"))
        var b = GGUFBytes(tensors: 1, kvs: 0)
        b.tensor("t", dims: [1 << 61, 2], type: 0)  // 2^62 elements fit; × 4 bytes do not
        #expect(ggufError(b.bytes) == .sizeOverflow(tensor: "t"))
    }

    /// CVE-2025-53630-shaped (SIGFPE): zero dimensions are legal in ggml; they make an empty tensor and are never
    /// divided by, whatever the other dimensions are.
    @Test func zeroSizeDimensionsAreEmptyTensors() throws {
        var g = GGUFBytes(tensors: 3, kvs: 0)
        g.tensor("a", dims: [0])
        g.tensor("b", dims: [4, 0, 1 << 62, 1 << 62], type: 0)
        g.tensor("k", dims: [0, 7], type: 12)  // Q4_K: 0 is a multiple of 256
        g.pad()
        let f = try openGGUF(g.bytes)
        #expect(f.descriptors.map(\.layout.shape) == [[0], [1 << 62, 1 << 62, 0, 4], [7, 0]])
        for d in f.descriptors { #expect(try f.load(d.name).count == 0) }
    }

    @Test func unknownTensorTypeIds() {
        for id in [UInt32(42), 99, 0xFFFF_FFFF] {
            var g = GGUFBytes(tensors: 1, kvs: 0)
            g.tensor("t", dims: [32], type: id)
            #expect(ggufError(g.bytes) == .unknownTensorType(tensor: "t", type: id))
        }
    }

    @Test func unsupportedTensorTypesAreNamed() {
        for (id, name) in [(UInt32(16), "IQ2_XXS"), (21, "IQ3_S"), (23, "IQ4_XS"), (4, "Q4_2 (removed)"),
                           (39, "MXFP4")] {
            var g = GGUFBytes(tensors: 1, kvs: 0)
            g.tensor("t", dims: [256], type: id)
            let e = ggufError(g.bytes)
            #expect(e == .unsupportedTensorType(tensor: "t", type: name, id: id))
            #expect(e?.description.contains(name) == true)
        }
    }

    @Test func rowNotAMultipleOfTheBlockSize() {
        var g = GGUFBytes(tensors: 1, kvs: 0)
        g.tensor("t", dims: [33, 2], type: 8)
        #expect(ggufError(g.bytes) == .rowNotBlockMultiple(tensor: "t", type: "Q8_0", elements: 33, blockSize: 32))
        var s = GGUFBytes(tensors: 1, kvs: 0)
        s.tensor("s", dims: [], type: 2)  // a scalar's row is 1 element
        #expect(ggufError(s.bytes) == .rowNotBlockMultiple(tensor: "s", type: "Q4_0", elements: 1, blockSize: 32))
    }

    @Test func duplicateTensorNames() {
        var g = GGUFBytes(tensors: 2, kvs: 0)
        g.tensor("w", dims: [1])
        g.tensor("w", dims: [1], offset: 32)
        #expect(ggufError(g.bytes) == .duplicateTensorName("w"))
    }

    // MARK: data layout

    /// Sum of offsets and sizes past 2^64 (ggml's "sum of padded sizes" check).
    @Test func offsetOverflowing() {
        var g = GGUFBytes(tensors: 1, kvs: 0)
        g.tensor("t", dims: [8], offset: UInt64.max - 31)
        g.pad()
        #expect(ggufError(g.bytes) == .tensorBeyondFile(tensor: "t", end: nil, fileSize: g.bytes.count))
        var big = GGUFBytes(tensors: 1, kvs: 0)
        big.tensor("t", dims: [8], offset: 1 << 63)
        big.pad()
        #expect(ggufError(big.bytes) == .tensorBeyondFile(tensor: "t", end: (1 << 63) + 64 + 32, fileSize: 64))
    }

    @Test func tensorRunningPastTheEnd() {
        let b = oneTensorFile(count: 4)
        #expect(ggufError(Array(b.dropLast())) == .tensorBeyondFile(tensor: "t", end: UInt64(b.count), fileSize: b.count - 1))
    }

    @Test func unalignedOffset() {
        var g = GGUFBytes(tensors: 1, kvs: 0)
        g.tensor("t", dims: [1], offset: 4)
        g.pad()
        g.data(64)
        #expect(ggufError(g.bytes) == .misalignedOffset(tensor: "t", offset: 4, alignment: 32))
    }

    @Test func overlappingTensors() {
        var g = GGUFBytes(tensors: 2, kvs: 0)
        g.tensor("a", dims: [16], offset: 0)  // bytes [0, 64)
        g.tensor("b", dims: [8], offset: 32)  // bytes [32, 64)
        g.pad()
        g.data(64)
        #expect(ggufError(g.bytes) == .overlap(tensor: "b", offset: 32, previous: "a", previousEnd: 64))
        // Listed in the other order: still found (sorted by offset).
        var r = GGUFBytes(tensors: 2, kvs: 0)
        r.tensor("b", dims: [8], offset: 32)
        r.tensor("a", dims: [16], offset: 0)
        r.pad()
        r.data(64)
        #expect(ggufError(r.bytes) == .overlap(tensor: "b", offset: 32, previous: "a", previousEnd: 64))
    }

    @Test func gapsAndTrailingBytesAreAllowed() throws {
        var g = GGUFBytes(tensors: 2, kvs: 0)
        g.tensor("a", dims: [1], offset: 64)
        g.tensor("b", dims: [1], offset: 0)
        g.pad()
        g.data(200)
        let f = try openGGUF(g.bytes)
        #expect(f.tensorInfos.map(\.offset) == [64, 0])
    }

    @Test func dataSectionPaddingMissing() {
        var g = GGUFBytes(tensors: 1, kvs: 0)
        g.tensor("t", dims: [0])
        let headerEnd = g.bytes.count
        #expect(ggufError(g.bytes) == .truncated(what: "padding before the data section", offset: headerEnd,
                                                 need: UInt64(32 - headerEnd % 32), have: 0))
    }

    /// The header cap: a file whose KVs run past 256 MiB (a sparse file: the array elements are holes) is refused as
    /// too large, not read.
    @Test func headerLargerThanTheCap() throws {
        let dir = TempDir()
        let p = dir.file("huge.gguf")
        let fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        defer { close(fd) }
        func put(_ b: [UInt8], at offset: Int) { _ = b.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) } }
        put(GGUFBytes(tensors: 0, kvs: 5).bytes, at: 0)
        var pos = 24
        for i in 0..<5 {
            var g = GGUFBytes(tensors: 0, kvs: 0)
            g.bytes = []
            g.kv("k\(i)", type: 9, le(UInt32(0)) + le(UInt64(GGUFLimits.maxArrayCount)))  // [u8] of 64 MiB
            put(g.bytes, at: pos)
            pos += g.bytes.count + GGUFLimits.maxArrayCount
        }
        #expect(ftruncate(fd, off_t(pos)) == 0)
        #expect(pos > GGUFLimits.maxHeaderBytes)
        #expect(thrown(GGUFError.self) { _ = try GGUFFile(path: p) } == .headerTooLarge)
    }
}
