import IngotFormat
import Testing

@testable import IngotInterop

/// One test per rule of the safetensors reader: each hand-made hostile file must fail with that rule's error.
@Suite struct SafetensorsBadFileTests {
    /// 8-byte header length, header text, data.
    static func craft(_ header: String, data: [UInt8] = []) -> [UInt8] {
        let h = Array(header.utf8)
        return le(UInt64(h.count)) + h + data
    }

    static func entry(_ name: String, _ dtype: String = "F32", shape: String = "[2]", offsets: (Int, Int) = (0, 8),
                      extra: String = "") -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(offsets.0),\(offsets.1)]\(extra)}"
    }

    static let zeros8 = [UInt8](repeating: 0, count: 8)
    static let valid = craft("{\(entry("a"))}", data: zeros8)

    /// Validates `bytes` as a safetensors file and returns the rule they break (nil when valid).
    func error(_ bytes: [UInt8]) -> SafetensorsError? {
        let r = bytes.withUnsafeBytes { b in Result { () throws(SafetensorsError) in try SafetensorsHeader(file: b) } }
        if case let .failure(e) = r { return e }
        return nil
    }

    func error(_ header: String, data: [UInt8] = zeros8) -> SafetensorsError? { error(Self.craft(header, data: data)) }

    @Test func validMinimalFileIsAccepted() {
        #expect(error(Self.valid) == nil)
        #expect(error("{}", data: []) == nil)
        #expect(error("  {} ", data: []) == nil)  // surrounding whitespace, as the crate's JSON parser allows
    }

    @Test func truncationAtEveryByte() {
        let f = Self.valid
        let n = f.count - 8 - 8
        for k in 0..<f.count {
            let e = error(Array(f.prefix(k)))
            if k < 8 {
                #expect(e == .fileTooSmall(size: k), "prefix \(k)")
            } else if k < 8 + n {
                #expect(e == .headerBeyondFile(end: 8 + n, fileSize: k), "prefix \(k)")
            } else {
                #expect(e == .dataBeyondFile(expectedSize: f.count, fileSize: k), "prefix \(k)")
            }
        }
    }

    @Test func headerLengthOverTheCap() {
        #expect(error(le(UInt64(100_000_001)) + Array("{}".utf8)) == .headerTooLarge(100_000_001))
        #expect(error(le(UInt64.max) + Array("{}".utf8)) == .headerTooLarge(UInt64.max))
    }

    @Test func headerLengthBeyondFile() {
        #expect(error(le(UInt64(1000)) + Array("{}".utf8)) == .headerBeyondFile(end: 1008, fileSize: 10))
    }

    @Test func headerNotUTF8() {
        var h = Array("{\"__metadata__\":{\"k\":\"xx\"}}".utf8)
        h[22] = 0xC3  // a lead byte followed by an ASCII byte
        #expect(error(le(UInt64(h.count)) + h) == .invalidUTF8(offset: 22))
        #expect(error(le(UInt64(4)) + [0x7B, 0xED, 0xA0, 0x80]) == .invalidUTF8(offset: 1))  // an encoded surrogate
    }

    @Test func headerNotJSON() {
        guard case .invalidJSON = error("{\"a\":", data: []) else { Issue.record("expected invalidJSON"); return }
    }

    @Test func duplicateKeyIsInvalidJSON() {
        guard case let .invalidJSON(why) = error("{\(Self.entry("a")),\(Self.entry("a"))}") else {
            Issue.record("expected invalidJSON")
            return
        }
        #expect(why.contains("duplicate key"))
    }

    @Test func headerNotAnObject() {
        #expect(error("[]", data: []) == .headerNotObject(type: "array"))
    }

    @Test func unknownDType() {
        #expect(error("{\(Self.entry("a", "F24"))}") == .unknownDType(tensor: "a", dtype: "F24"))
    }

    @Test(arguments: ["U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "C64", "F4"])
    func unsupportedDType(_ dtype: String) {
        #expect(error("{\(Self.entry("a", dtype))}") == .unsupportedDType(tensor: "a", dtype: dtype))
    }

    @Test func dtypeNotAString() {
        #expect(error("{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}")
                == .badField(tensor: "a", field: "dtype", expected: "a string"))
    }

    @Test func nonStringMetadata() {
        #expect(error("{\"__metadata__\":{\"n\":1},\(Self.entry("a"))}") == .nonStringMetadata(key: "n", type: "int"))
    }

    @Test func metadataNotAnObject() {
        #expect(error("{\"__metadata__\":[\"x\"],\(Self.entry("a"))}") == .metadataNotObject(type: "array"))
    }

    @Test func nullMetadataIsNoMetadata() {
        #expect(error("{\"__metadata__\":null,\(Self.entry("a"))}") == nil)
    }

    @Test func tensorEntryNotAnObject() {
        #expect(error("{\"a\":[1]}") == .tensorNotObject(tensor: "a", type: "array"))
    }

    @Test func extraTensorKey() {
        #expect(error("{\(Self.entry("a", extra: ",\"scale\":1"))}") == .unknownField(tensor: "a", field: "scale"))
    }

    @Test func missingTensorKey() {
        #expect(error("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}") == .missingField(tensor: "a", field: "data_offsets"))
    }

    @Test func overflowingShape() {
        let big = "[4294967296,4294967296]"  // 2^64 elements
        #expect(error("{\(Self.entry("a", shape: big))}") == .sizeOverflow(tensor: "a"))
        let bytes = "[2305843009213693952]"  // 2^61 elements × 4 bytes overflows
        #expect(error("{\(Self.entry("a", shape: bytes))}") == .sizeOverflow(tensor: "a"))
    }

    @Test func negativeDimension() {
        #expect(error("{\(Self.entry("a", shape: "[-2]"))}") == .badShape(tensor: "a", reason: "negative dimension -2"))
    }

    @Test func rankBeyondIngotsLimitIsTheRealRank() {
        #expect(error("{\(Self.entry("a", "U8", shape: "[1,1,1,1,1,1,1,1,1]", offsets: (0, 1)))}", data: [0])
                == .badShape(tensor: "a", reason: "rank 9 exceeds the maximum of 8"))
        // The attack campaign's shape: 100 dimensions were reported as "rank 9".
        let hundred = "[" + Array(repeating: "1", count: 100).joined(separator: ",") + "]"
        #expect(error("{\(Self.entry("a", "U8", shape: hundred, offsets: (0, 1)))}", data: [0])
                == .badShape(tensor: "a", reason: "rank 100 exceeds the maximum of 8"))
    }

    @Test func malformedDataOffsets() {
        let bad = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,16]}}"
        #expect(error(bad) == .badField(tensor: "a", field: "data_offsets", expected: "[begin, end] with non-negative integers"))
        #expect(error("{\(Self.entry("a", offsets: (-8, 0)))}")
                == .badField(tensor: "a", field: "data_offsets", expected: "[begin, end] with non-negative integers"))
    }

    @Test func reversedOffsets() {
        #expect(error("{\(Self.entry("a", shape: "[0]", offsets: (8, 0)))}", data: []) == .reversedOffsets(tensor: "a", begin: 8, end: 0))
    }

    @Test func offsetsWithAHole() {
        let h = "{\(Self.entry("a")),\(Self.entry("b", offsets: (12, 20)))}"
        #expect(error(h, data: [UInt8](repeating: 0, count: 20)) == .hole(tensor: "b", begin: 12, expected: 8))
        // A hole before the first tensor too.
        #expect(error("{\(Self.entry("a", offsets: (4, 12)))}", data: [UInt8](repeating: 0, count: 12))
                == .hole(tensor: "a", begin: 4, expected: 0))
    }

    @Test func overlappingOffsets() {
        let h = "{\(Self.entry("a")),\(Self.entry("b", offsets: (4, 12)))}"
        #expect(error(h, data: [UInt8](repeating: 0, count: 12)) == .overlap(tensor: "b", begin: 4, previousEnd: 8))
    }

    @Test func spanDiffersFromShape() {
        #expect(error("{\(Self.entry("a", offsets: (0, 12)))}", data: [UInt8](repeating: 0, count: 12))
                == .spanMismatch(tensor: "a", span: 12, expected: 8))
    }

    @Test func trailingBytes() {
        #expect(error(Self.valid + [0]) == .trailingBytes(expectedSize: Self.valid.count, fileSize: Self.valid.count + 1))
    }

    @Test func headerOrderDoesNotMatterButOffsetOrderIsReported() throws {
        let dir = TempDir()
        let bytes = Self.craft("{\(Self.entry("b", offsets: (8, 16))),\(Self.entry("a"))}", data: [UInt8](repeating: 1, count: 16))
        let f = try SafetensorsFile(path: dir.write(bytes, name: "x.safetensors"))
        #expect(f.descriptors.map(\.name) == ["a", "b"])
    }

    @Test func errorsCarryThePath() throws {
        let dir = TempDir()
        let p = dir.write(Self.valid + [0], name: "bad.safetensors")
        do {
            _ = try SafetensorsFile(path: p)
            Issue.record("expected an error")
        } catch let e as FileError {
            #expect(e.path == p)
            let n = Self.valid.count
            #expect("\(e)" == "\(p): file has \(n + 1) bytes but its header accounts for \(n)")
        }
    }
}
