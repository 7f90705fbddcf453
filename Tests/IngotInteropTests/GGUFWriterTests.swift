import IngotFormat
import Testing

@testable import IngotInterop

/// The GGUF writer's layout, its refusals, and the metadata → pairs conversion.
@Suite struct GGUFWriterTests {
    func f32(_ name: String, _ shape: [Int]) throws -> TensorDescriptor {
        TensorDescriptor(name: name, layout: try TensorLayout(name: name, dtype: .f32, shape: shape, groupSize: nil))
    }

    func zeros(_ d: TensorDescriptor) -> TensorBuffer { TensorBuffer(OwnedBytes(count: d.layout.byteCount)) }

    func writeError(_ kvs: [GGUFKeyValue] = [], _ tensors: [TensorDescriptor] = [],
                    load: ((TensorDescriptor) throws -> TensorBuffer)? = nil) -> (GGUFError?, leftFile: Bool) {
        let dir = TempDir()
        let p = dir.file("out.gguf")
        let e = thrown(GGUFError.self) { try GGUFWriter(path: p, keyValues: kvs, tensors: tensors).write(ClosureSource(tensors, load ?? zeros)) }
        return (e, !dir.entries.isEmpty)
    }

    @Test func layoutIsGGUFPysDefaultAlignment32WithPaddingAfterEveryTensor() throws {
        let dir = TempDir()
        let p = dir.file("out.gguf")
        let ts = [try f32("a", [3]), try f32("b", [5]), try f32("c", [2, 4])]
        try GGUFWriter(path: p, keyValues: [GGUFKeyValue("general.architecture", .string("x"))], tensors: ts).write(ClosureSource(ts, zeros))
        let f = try GGUFFile(path: p)
        #expect(f.version == 3 && f.alignment == 32 && f.dataOffset % 32 == 0)
        #expect(f.tensorInfos.map(\.offset) == [0, 32, 64])
        #expect(f.tensorInfos.map(\.dims) == [[3], [5], [4, 2]])
        #expect(readBytes(p).count == f.dataOffset + 96)
    }

    @Test func alignmentComesFromTheGeneralAlignmentPair() throws {
        let dir = TempDir()
        let p = dir.file("out.gguf")
        let ts = [try f32("a", [1]), try f32("b", [1])]
        try GGUFWriter(path: p, keyValues: [GGUFKeyValue("general.alignment", .uint32(128))], tensors: ts).write(ClosureSource(ts, zeros))
        let f = try GGUFFile(path: p)
        #expect(f.alignment == 128 && f.dataOffset % 128 == 0 && f.tensorInfos.map(\.offset) == [0, 128])
    }

    @Test func dtypesWithoutAGGUFTypeAreRefused() throws {
        for dtype in [DType.u8, .bool] {
            let d = TensorDescriptor(name: "t", layout: try TensorLayout(name: "t", dtype: dtype, shape: [2], groupSize: nil))
            let (e, left) = writeError([], [d])
            #expect(e == .cannotExport(tensor: "t", dtype: dtype) && !left)
        }
    }

    @Test func qTypesOnlyWithGroupSize32() throws {
        for dtype in [DType.q8_0, .q4_0, .q4_1] {
            let d = TensorDescriptor(name: "t", layout: try TensorLayout(name: "t", dtype: dtype, shape: [2, 64], groupSize: 64))
            #expect(writeError([], [d]).0 == .groupSizeNot32(tensor: "t", dtype: dtype, groupSize: 64))
            let ok = TensorDescriptor(name: "t", layout: try TensorLayout(name: "t", dtype: dtype, shape: [2, 64], groupSize: 32))
            #expect(writeError([], [ok]).0 == nil)
        }
    }

    @Test func moreThanFourDimensionsAreRefused() throws {
        #expect(writeError([], [try f32("t", [1, 1, 1, 1, 1])]).0 == .tooManyDimensions(tensor: "t", count: 5))
    }

    @Test func duplicatesAndBadKeysAreRefused() throws {
        #expect(writeError([], [try f32("t", [1]), try f32("t", [2])]).0 == .duplicateTensorName("t"))
        #expect(writeError([GGUFKeyValue("k", .bool(true)), GGUFKeyValue("k", .bool(false))]).0 == .duplicateKey("k"))
        #expect(writeError([GGUFKeyValue("", .bool(true))]).0 == .emptyKey(index: 0))
        #expect(writeError([GGUFKeyValue(GGUFMetadata.typesKey, .bool(true))]).0 == .reservedKey(GGUFMetadata.typesKey))
        #expect(writeError([GGUFKeyValue("general.alignment", .uint64(32))]).0 == .alignmentNotU32(type: "u64"))
        #expect(writeError([GGUFKeyValue("general.alignment", .uint32(24))]).0 == .badAlignment(24))
    }

    @Test func arraysNestedDeeperThanTheReaderAcceptsAreRefused() {
        var a = GGUFArray.uint8([1])
        for _ in 0..<GGUFLimits.maxArrayDepth { a = .array([a]) }
        #expect(writeError([GGUFKeyValue("deep", .array(a))]).0 == .arrayTooDeep(key: "deep"))
    }

    @Test func aWrongSizedBufferLeavesNothingBehind() throws {
        let dir = TempDir()
        let t = [try f32("t", [4])]
        let e = thrown(TensorWriteError.self) {
            try GGUFWriter(path: dir.file("out.gguf"), keyValues: [], tensors: t).write(ClosureSource(t) { _ in TensorBuffer(OwnedBytes(count: 3)) })
        }
        #expect(e == .sizeMismatch(tensor: "t", count: 3, expected: 16))
        #expect(dir.entries.isEmpty)
    }

    @Test func aFailingLoadLeavesAnExistingFileUntouched() throws {
        struct Boom: Error {}
        let dir = TempDir()
        let p = dir.write([1, 2, 3], name: "out.gguf")
        #expect(throws: Boom.self) {
            let t = [try f32("t", [1])]
            try GGUFWriter(path: p, keyValues: [], tensors: t).write(ClosureSource(t) { _ in throw Boom() })
        }
        #expect(readBytes(p) == [1, 2, 3])
        #expect(dir.entries == ["out.gguf"])
    }

    @Test func everyValueTypeRoundTripsThroughTheWriter() throws {
        let kvs: [GGUFKeyValue] = [
            .init("u8", .uint8(7)), .init("i8", .int8(-7)), .init("u16", .uint16(700)), .init("i16", .int16(-700)),
            .init("u32", .uint32(70000)), .init("i32", .int32(-70000)), .init("f32", .float32(Float(bitPattern: 0x7FC0_1234))),
            .init("bool", .bool(true)), .init("str", .string("ünïcode")), .init("u64", .uint64(.max)),
            .init("i64", .int64(.min)), .init("f64", .float64(-0.0)),
            .init("empty", .array(.float64([]))),
            .init("nested", .array(.array([.string(["a"]), .array([.bool([false])]), .uint16([])]))),
        ]
        let dir = TempDir()
        let p = dir.file("kv.gguf")
        try GGUFWriter(path: p, keyValues: kvs, tensors: []).finish()
        let f = try GGUFFile(path: p)
        #expect(f.keyValues == kvs)
        #expect(try GGUFMetadata.keyValues(from: f.metadata) == kvs, "and through metadata JSON")
    }

    // MARK: metadata without types

    @Test func typesAreInferredForMetadataThatNeverCameFromGGUF() throws {
        let m = JSONObject([
            ("b", .bool(true)), ("small", .int(5)), ("big", .int(1 << 40)), ("x", .double(0.1)), ("s", .string("é")),
            ("ints", .array([.int(1), .int(1 << 40)])), ("nums", .array([.int(1), .double(0.5)])),
            ("strs", .array([.string("a")])), ("none", .array([])), ("nested", .array([.array([.int(1)]), .array([.bool(false)])])),
            ("obj", .object(JSONObject([("k", .int(1))]))), ("null", .null), ("mixed", .array([.int(1), .string("a")])),
        ])
        let kvs = try GGUFMetadata.keyValues(from: m)
        #expect(kvs == [
            .init("b", .bool(true)), .init("small", .int32(5)), .init("big", .int64(1 << 40)), .init("x", .float64(0.1)),
            .init("s", .string("é")), .init("ints", .array(.int64([1, 1 << 40]))), .init("nums", .array(.float64([1, 0.5]))),
            .init("strs", .array(.string(["a"]))), .init("none", .array(.string([]))),
            .init("nested", .array(.array([.int32([1]), .bool([false])]))),
            .init("obj", .string("{\"k\":1}")), .init("null", .string("null")), .init("mixed", .string("[1,\"a\"]")),
        ])
    }

    @Test func valuesContradictingTheirAnnotationAreRefused() {
        func decode(_ v: JSONValue, _ t: JSONValue) -> GGUFError? {
            thrown(GGUFError.self) {
                _ = try GGUFMetadata.keyValues(from: JSONObject([("k", v), (GGUFMetadata.typesKey, .object(JSONObject([("k", t)])))]))
            }
        }
        #expect(decode(.int(300), .string("u8")) == .unrepresentableMetadata(key: "k", reason: "a JSON int is not a u8"))
        #expect(decode(.int(-1), .string("u64")) != nil)
        #expect(decode(.string("x"), .string("f32")) != nil)
        #expect(decode(.array([.int(1)]), .string("[str]")) != nil)
        #expect(decode(.int(1), .string("[u8]")) != nil)
        #expect(decode(.int(1), .string("nope")) != nil)
        #expect(decode(.array([.array([])]), .array([])) != nil, "one annotation per element")
        #expect(decode(.string("18446744073709551615"), .string("u64")) == nil)
        #expect(decode(.string("NaN(0x7fa00001)"), .string("f32")) == nil)
        #expect(decode(.string("NaN(0x3f800000)"), .string("f32")) != nil, "a finite pattern is not a NaN")
    }

    @Test func safetensorsModelExportsToGGUF() throws {
        let dir = TempDir()
        let st = try SafetensorsFile(path: Fixtures.path("tiny-llama/model.safetensors"))
        let p = dir.file("tiny.gguf")
        try GGUFWriter(path: p, source: st).write(st)
        let f = try GGUFFile(path: p)
        #expect(Set(f.descriptors.map(\.name)) == Set(st.descriptors.map(\.name)))
        for d in st.descriptors {
            #expect(f.descriptors.first { $0.name == d.name }?.layout == d.layout)
            #expect(try f.load(d.name).withBytes { Array($0) } == (try st.load(d.name).withBytes { Array($0) }))
        }
        for (k, v) in st.metadata { #expect(f.value(forKey: k) == v.stringValue.map { .string($0) }) }
    }
}
