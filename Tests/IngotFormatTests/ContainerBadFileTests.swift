import Testing
@testable import IngotFormat

/// One test per structural rule of specs/format.md: each hostile file must fail with that rule's error.
@Suite struct ContainerBadFileTests {
    let zeros8 = [UInt8](repeating: 0, count: 8)

    @Test func validMinimalFileIsAccepted() {
        #expect(validationError(craft(header: header([row("a")]), data: zeros8)) == nil)
    }

    @Test func emptyFileIsTruncatedPreamble() {
        #expect(validationError([]) == .truncated(what: "preamble", need: 40, have: 0))
    }

    @Test func truncationInsidePreamble() {
        let f = craft(header: header([row("a")]), data: zeros8)
        #expect(validationError(Array(f.prefix(39))) == .truncated(what: "preamble", need: 40, have: 39))
    }

    @Test func truncationInsideHeader() {
        let f = craft(header: header([row("a")]), data: zeros8)
        let headerEnd = 40 + header([row("a")]).utf8.count
        #expect(validationError(Array(f.prefix(headerEnd - 1))) == .headerBeyondFile(end: headerEnd, fileSize: headerEnd - 1))
    }

    @Test func truncationInsidePadding() {
        let f = craft(header: header([row("a")]), data: zeros8)
        #expect(validationError(Array(f.prefix(4000))) == .truncated(what: "data section", need: 4096, have: 4000))
    }

    @Test func truncationInsideTensorData() {
        let f = craft(header: header([row("a")]), data: zeros8)
        #expect(validationError(Array(f.prefix(4096 + 5))) == .tensorBeyondFile(tensor: "a", end: 4104, fileSize: 4101))
    }

    @Test func badMagic() {
        var f = craft(header: header([row("a")]), data: zeros8)
        f[1] = UInt8(ascii: "X")
        #expect(validationError(f) == .badMagic)
    }

    @Test func unknownMajorVersion() {
        #expect(validationError(craft(header: header([row("a")]), data: zeros8, major: 2, minor: 3))
                == .unsupportedVersion(major: 2, minor: 3))
    }

    @Test func reservedFlags() {
        var f = craft(header: header([row("a")]), data: zeros8)
        f[12] = 1
        #expect(validationError(f) == .reservedFlags(1))
    }

    @Test func headerLengthOverCap() {
        var f = craft(header: header([row("a")]), data: zeros8)
        for i in 0..<8 { f[16 + i] = 0xff }
        #expect(validationError(f) == .headerTooLarge(Int.max))
    }

    @Test func headerLengthBeyondFile() {
        var f = craft(header: header([row("a")]), data: zeros8)
        let n = UInt64(1_000_000)
        for i in 0..<8 { f[16 + i] = UInt8(truncatingIfNeeded: n >> (8 * UInt64(i))) }
        #expect(validationError(f) == .headerBeyondFile(end: 1_000_040, fileSize: f.count))
    }

    @Test func headerChecksumMismatch() {
        let h = header([row("a")])
        #expect(validationError(craft(header: h, data: zeros8, checksum: 42))
                == .headerChecksumMismatch(expected: 42, actual: XXH3.hash(Array(h.utf8))))
    }

    @Test func badJSON() {
        guard case .invalidJSON = validationError(craft(header: "{\"alignment\":64,", data: [])) else {
            Issue.record("expected invalidJSON"); return
        }
    }

    @Test func invalidUTF8InHeader() {
        var json = Array(header([], metadata: "{\"k\":\"ab\"}").utf8)
        if let i = json.firstIndex(of: UInt8(ascii: "b")) { json[i] = 0xC3 }  // a lone UTF-8 lead byte
        guard case let .invalidJSON(why) = validationError(craft(headerBytes: json)) else {
            Issue.record("expected invalidJSON"); return
        }
        #expect(why.contains("UTF-8"))
    }

    @Test func headerIsNotAnObject() {
        #expect(validationError(craft(header: "[]")) == .invalidHeader("the header is not a JSON object"))
    }

    @Test func unknownTopLevelKey() {
        #expect(validationError(craft(header: "{\"alignment\":64,\"metadata\":{},\"tensors\":[],\"x\":1}"))
                == .invalidHeader("unknown key \"x\""))
    }

    @Test func unknownKeyToleratedInNewerMinor() {
        #expect(validationError(craft(header: "{\"alignment\":64,\"metadata\":{},\"tensors\":[],\"x\":1}", minor: 7)) == nil)
    }

    @Test func duplicateJSONKey() {
        guard case let .invalidJSON(why) = validationError(craft(header: "{\"alignment\":64,\"alignment\":64,\"metadata\":{},\"tensors\":[]}"))
        else { Issue.record("expected invalidJSON"); return }
        #expect(why.contains("duplicate key"))
    }

    @Test func badAlignmentNotPowerOfTwo() {
        #expect(validationError(craft(header: header([], alignment: 48))) == .badAlignment(48))
    }

    @Test func badAlignmentOverCap() {
        #expect(validationError(craft(header: header([], alignment: 8192))) == .badAlignment(8192))
    }

    @Test func unknownDType() {
        #expect(validationError(craft(header: header([row("a", dtype: "f8")]), data: zeros8))
                == .unknownDType(tensor: "a", dtype: "f8"))
    }

    @Test func duplicateTensorNames() {
        #expect(validationError(craft(header: header([row("a"), row("a", offset: 64)]), data: zeros8 + [UInt8](repeating: 0, count: 64)))
                == .duplicateName("a"))
    }

    @Test func emptyTensorName() {
        #expect(validationError(craft(header: header([row("")]), data: zeros8)) == .badName(""))
    }

    @Test func rankOverCapIsTheRealRank() {
        #expect(validationError(craft(header: header([row("a", shape: [1, 1, 1, 1, 1, 1, 1, 1, 2])]), data: zeros8))
                == .badShape(tensor: "a", reason: "rank 9 exceeds the maximum of 8"))
        #expect(validationError(craft(header: header([row("a", shape: [Int](repeating: 1, count: 100))]), data: zeros8))
                == .badShape(tensor: "a", reason: "rank 100 exceeds the maximum of 8"))
    }

    @Test func negativeDimension() {
        #expect(validationError(craft(header: header([row("a", shape: [-2])]), data: zeros8))
                == .badShape(tensor: "a", reason: "negative dimension -2"))
    }

    @Test func overflowingShape() {
        let big = 1 << 40
        #expect(validationError(craft(header: header([row("a", shape: [big, big])]), data: zeros8)) == .sizeOverflow(tensor: "a"))
    }

    @Test func overflowingByteSize() {
        // 2^61 elements fit in Int, their f32 bytes do not.
        #expect(validationError(craft(header: header([row("a", shape: [1 << 61])]), data: zeros8)) == .sizeOverflow(tensor: "a"))
    }

    @Test func absoluteEndOverflowingIsReportedNotTrapped() {
        // offset + length fits, data_offset + end does not (found by the independent reader): a clean error.
        let enc = "{\"type\":\"chunked\",\"chunk_size\":8,\"filter\":\"none\"}"
        let f = craft(header: header([row("a", length: Int(Int64.max) - 100, xxh3: "0000000000000000", encoding: enc)]), data: zeros8)
        #expect(validationError(f) == .tensorBeyondFile(tensor: "a", end: Int.max, fileSize: 4104))
    }

    @Test func overflowingOffset() {
        // An aligned offset near 2^63 plus a stored length runs past Int.max.
        let enc = "{\"type\":\"chunked\",\"chunk_size\":8,\"filter\":\"none\"}"
        let f = craft(header: header([row("a", offset: Int(Int64.max) - 63, length: 100, encoding: enc)]), data: zeros8)
        #expect(validationError(f) == .sizeOverflow(tensor: "a"))
    }

    @Test func rawLengthMismatch() {
        #expect(validationError(craft(header: header([row("a", length: 12)]), data: zeros8 + [0, 0, 0, 0]))
                == .lengthMismatch(tensor: "a", stored: 12, expected: 8))
    }

    @Test func misalignedTensor() {
        let f = craft(header: header([row("a"), row("b", offset: 8)]), data: zeros8 + zeros8)
        #expect(validationError(f) == .misaligned(tensor: "b", offset: 8, alignment: 64))
    }

    @Test func overlappingTensors() {
        let f = craft(header: header([row("a", shape: [32], length: 128), row("b", offset: 64)]), data: [UInt8](repeating: 0, count: 128))
        #expect(validationError(f) == .overlap(tensor: "b", offset: 64, previousEnd: 128))
    }

    @Test func holeBetweenTensors() {
        let f = craft(header: header([row("a"), row("b", offset: 128)]), data: [UInt8](repeating: 0, count: 136))
        #expect(validationError(f) == .hole(tensor: "b", offset: 128, expected: 64))
    }

    @Test func holeBeforeFirstTensor() {
        let f = craft(header: header([row("a", offset: 64)]), data: [UInt8](repeating: 0, count: 72))
        #expect(validationError(f) == .hole(tensor: "a", offset: 64, expected: 0))
    }

    @Test func trailingBytesAfterLastTensor() {
        #expect(validationError(craft(header: header([row("a")]), data: zeros8 + [0]))
                == .trailingBytes(expectedSize: 4104, fileSize: 4105))
    }

    @Test func nonzeroHeaderPadding() {
        var f = craft(header: header([row("a")]), data: zeros8)
        f[4000] = 1
        #expect(validationError(f) == .nonzeroPadding(offset: 4000))
    }

    @Test func nonzeroTensorPadding() {
        var f = craft(header: header([row("a"), row("b", offset: 64)]), data: [UInt8](repeating: 0, count: 72))
        f[4096 + 10] = 7
        #expect(validationError(f) == .nonzeroPadding(offset: 4106))
    }

    @Test func dataOffsetNotPageAligned() {
        #expect(validationError(craft(header: header([]), dataOffset: 4000)) == .badDataOffset(4000))
    }

    @Test func dataOffsetInsideHeader() {
        let long = header([], metadata: "{\"pad\":\"\(String(repeating: "x", count: 5000))\"}")
        #expect(validationError(craft(header: long, dataOffset: 4096)) == .badDataOffset(4096))
    }

    @Test func missingChecksumField() {
        let r = "{\"name\":\"a\",\"dtype\":\"f32\",\"shape\":[2],\"offset\":0,\"length\":8,\"encoding\":\"raw\"}"
        #expect(validationError(craft(header: header([r]), data: zeros8))
                == .invalidHeader("tensor \"a\": \"xxh3\" must be 16 lowercase hex digits"))
    }

    @Test func unknownEncoding() {
        #expect(validationError(craft(header: header([row("a", encoding: "\"lz4\"")]), data: zeros8))
                == .unknownEncoding(tensor: "a", encoding: "lz4"))
    }

    @Test func chunkSizeNotMultipleOfUnit() {
        let enc = "{\"type\":\"chunked\",\"chunk_size\":6,\"filter\":\"none\"}"
        #expect(validationError(craft(header: header([row("a", encoding: enc)]), data: zeros8))
                == .badChunkSize(tensor: "a", chunkSize: 6))
    }

    @Test func chunkSizeOverCap() {
        let enc = "{\"type\":\"chunked\",\"chunk_size\":\(Limits.maxChunkBytes + 4),\"filter\":\"none\"}"
        #expect(validationError(craft(header: header([row("a", encoding: enc)]), data: zeros8))
                == .badChunkSize(tensor: "a", chunkSize: Limits.maxChunkBytes + 4))
    }

    @Test func chunkTableLongerThanStoredBytes() {
        // 8 decoded bytes in 4-byte chunks need an 8-byte table, but only 4 bytes are stored.
        let enc = "{\"type\":\"chunked\",\"chunk_size\":4,\"filter\":\"none\"}"
        #expect(validationError(craft(header: header([row("a", length: 4, encoding: enc)]), data: [0, 0, 0, 0]))
                == .badChunkTable(tensor: "a", reason: "2 chunks need a 8-byte table, 4 bytes stored"))
    }

    @Test func bytegroupOnIntegers() {
        let enc = "{\"type\":\"chunked\",\"chunk_size\":8,\"filter\":\"bytegroup\"}"
        #expect(validationError(craft(header: header([row("a", dtype: "i32", encoding: enc)]), data: zeros8))
                == .unknownEncoding(tensor: "a", encoding: "bytegroup on non-float dtype i32"))
    }

    @Test func blockTypeWithoutGroupSize() {
        #expect(validationError(craft(header: header([row("a", dtype: "q8_0", shape: [32], length: 34)]), data: [UInt8](repeating: 0, count: 34)))
                == .badGroupSize(tensor: "a", reason: "q8_0 needs group_size"))
    }

    @Test func groupSizeNotDividingRow() {
        let r = row("a", dtype: "q4_0", shape: [48], length: 18, extra: ",\"group_size\":32")
        #expect(validationError(craft(header: header([r]), data: [UInt8](repeating: 0, count: 18)))
                == .badGroupSize(tensor: "a", reason: "32 does not divide the last dimension 48"))
    }

    @Test func groupSizeOnScalarType() {
        let r = row("a", extra: ",\"group_size\":32")
        #expect(validationError(craft(header: header([r]), data: zeros8)) == .badGroupSize(tensor: "a", reason: "f32 is not a block type"))
    }

    @Test func chunkCountOverCap() {
        // chunk_size 1 over 2^61 bytes: 4·n would overflow; the chunk cap rejects it first.
        let enc = "{\"type\":\"chunked\",\"chunk_size\":1,\"filter\":\"none\"}"
        let f = craft(header: header([row("a", dtype: "u8", shape: [(1 << 61) + 1], length: 4, encoding: enc)]), data: [0, 0, 0, 0])
        #expect(validationError(f) == .badChunkTable(tensor: "a", reason: "2305843009213693953 chunks exceed the cap of 16777216"))
    }

    @Test func emptyChunkedTensorStoringBytes() {
        let enc = "{\"type\":\"chunked\",\"chunk_size\":4,\"filter\":\"none\"}"
        let f = craft(header: header([row("a", shape: [0], length: 4, encoding: enc)]), data: [0, 0, 0, 0])
        #expect(validationError(f) == .badChunkTable(tensor: "a", reason: "an empty tensor stores 4 bytes"))
    }

    @Test func zeroDimensionNeverOverflows() {
        let f = craft(header: header([row("a", shape: [1 << 62, 1 << 62, 0], length: 0)]))
        #expect(validationError(f) == nil)
    }

    @Test func canonicallyEquivalentNamesAreDistinct() {
        // "é" precomposed and decomposed are different code points: two valid, distinct names.
        let f = craft(header: header([row("\u{e9}"), row("e\u{301}", offset: 64)]), data: zeros8 + [UInt8](repeating: 0, count: 64))
        #expect(validationError(f) == nil)
    }

    @Test func c1ControlInName() {
        #expect(validationError(craft(header: header([row("a\u{9b}b")]), data: zeros8)) == .badName("a\u{9b}b"))
    }

    @Test func tooDeepMetadata() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        guard case let .invalidJSON(why) = validationError(craft(header: header([], metadata: "{\"d\":\(deep)}"))) else {
            Issue.record("expected invalidJSON"); return
        }
        #expect(why.contains("nesting deeper"))
    }
}
