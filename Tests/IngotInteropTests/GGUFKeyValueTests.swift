import IngotFormat
import Testing

@testable import IngotInterop

/// Every KV type of kv_types.gguf (written by gguf-py) read back exactly, typed and as metadata JSON.
@Suite struct GGUFKeyValueTests {
    static let file = try? GGUFFile(path: GGUFFixtures.path("kv_types.gguf"))

    func value(_ key: String) -> GGUFValue? { Self.file?.value(forKey: key) }

    @Test func pairsAreInFileOrderWithExpectedTypesAndValues() throws {
        let f = try #require(Self.file)
        let expected = GGUFFixtures.file("kv_types.gguf")["kvs"]?.arrayValue ?? []
        #expect(f.keyValues.count == expected.count && !expected.isEmpty)
        for (kv, e) in zip(f.keyValues, expected) {
            let o = e.objectValue ?? JSONObject()
            #expect(o["key"]?.stringValue.map { sameScalars($0, kv.key) } == true, "\(kv.key)")
            #expect(GGUFMetadata.typeAnnotation(kv.value) == o["type"], "type of \(kv.key)")
            #expect(GGUFMetadata.json(kv.value) == o["value"], "value of \(kv.key)")
        }
    }

    /// expected.json, rebuilt into typed values by the metadata decoder, equals what the reader parsed — bit for
    /// bit (NaN payloads, -0.0, u64 max).
    @Test func typedValuesEqualTheProducersBitForBit() throws {
        let f = try #require(Self.file)
        let rebuilt = try GGUFMetadata.keyValues(from: GGUFFixtures.metadata("kv_types.gguf"))
        #expect(rebuilt == f.keyValues)
    }

    @Test func metadataIsTheJSONOfThePairsPlusTheirTypes() throws {
        let f = try #require(Self.file)
        #expect(f.metadata == GGUFFixtures.metadata("kv_types.gguf"))
        #expect(f.metadata.keys.last == GGUFMetadata.typesKey)
    }

    @Test func everyScalarType() {
        #expect(value("test.u8") == .uint8(255))
        #expect(value("test.i8") == .int8(-128))
        #expect(value("test.u16") == .uint16(65535))
        #expect(value("test.i16") == .int16(-32768))
        #expect(value("test.u32") == .uint32(.max))
        #expect(value("test.i32") == .int32(.min))
        #expect(value("test.f32") == .float32(3.14159))
        #expect(value("test.bool.true") == .bool(true))
        #expect(value("test.bool.false") == .bool(false))
        #expect(value("test.u64") == .uint64(.max))
        #expect(value("test.i64") == .int64(.min))
        #expect(value("test.f64") == .float64(.pi))
        #expect(value("general.alignment") == .uint32(64))
        #expect(Self.file?.alignment == 64)
        let covered = Set((Self.file?.keyValues ?? []).map(\.value.type))
        #expect(covered == Set(GGUFValueType.allCases))
    }

    @Test func stringsKeepNonASCIIAndControlCharactersAndMayBeEmpty() {
        #expect(value("test.str") == .string("général ✓ — 日本語 🦙 \"quoted\" \\ tab\tnewline\n"))
        #expect(value("test.str.empty") == .string(""))
    }

    @Test func specialFloatsKeepTheirBits() {
        #expect(value("test.f32.neg_zero") == .float32(-0.0))
        #expect(value("test.f32.neg_zero") != .float32(0.0))
        #expect(value("test.f32.subnormal") == .float32(Float(bitPattern: 1)))
        #expect(value("test.f32.inf") == .float32(.infinity))
        #expect(value("test.f32.neg_inf") == .float32(-.infinity))
        #expect(value("test.f32.nan") == .float32(Float(bitPattern: 0x7FC0_0000)))
        #expect(value("test.f64.nan_payload") == .float64(Double(bitPattern: 0x7FF8_0000_0000_0123)))
        // JSON cannot hold these: documented strings, u64 beyond Int64 as exact digits.
        let m = Self.file?.metadata ?? JSONObject()
        #expect(m["test.f32.nan"] == .string("NaN"))
        #expect(m["test.f32.inf"] == .string("Infinity"))
        #expect(m["test.f64.neg_inf"] == .string("-Infinity"))
        #expect(m["test.f64.nan_payload"] == .string("NaN(0x7ff8000000000123)"))
        #expect(m["test.u64"] == .string("18446744073709551615"))
        #expect(m["test.u64.small"] == .int(42))
        #expect(m["test.f32"] == .double(Double(Float(3.14159))))
    }

    @Test func arraysOfEveryElementType() {
        #expect(value("test.arr.u8") == .array(.uint8([0, 1, 255])))
        #expect(value("test.arr.i8") == .array(.int8([-128, 0, 127])))
        #expect(value("test.arr.u16") == .array(.uint16([0, 65535])))
        #expect(value("test.arr.i16") == .array(.int16([-32768, 32767])))
        #expect(value("test.arr.u32") == .array(.uint32([0, .max])))
        #expect(value("test.arr.i32") == .array(.int32([.min, .max, 7])))
        #expect(value("test.arr.bool") == .array(.bool([true, false, true])))
        #expect(value("test.arr.str") == .array(.string(["a", "\u{e9}", "e\u{301}", "🦙", "", "tokens ▁with ▁spaces"])))
        // NFC and NFD elements are different strings.
        #expect(value("test.arr.str") != .array(.string(["a", "\u{e9}", "\u{e9}", "🦙", "", "tokens ▁with ▁spaces"])))
        #expect(value("test.arr.u64") == .array(.uint64([0, 1 << 63, .max])))
        #expect(value("test.arr.i64") == .array(.int64([.min, .max])))
        #expect(value("test.arr.f32") == .array(.float32([1.5, -0.0, .infinity, Float(bitPattern: 0x7FC0_0000),
                                                          Float(bitPattern: 1), .greatestFiniteMagnitude])))
        #expect(value("test.arr.f64") == .array(.float64([2.718281828459045, -.infinity, Double(bitPattern: 0x7FF8_0000_0000_0123),
                                                          Double(bitPattern: 1)])))
        let covered = Set((Self.file?.keyValues ?? []).compactMap { $0.value.arrayValue?.elementType })
        #expect(covered == Set(GGUFValueType.allCases))
    }

    @Test func nestedArraysKeepEachInnerType() {
        #expect(value("test.nested.i32") == .array(.array([.int32([1, 2, 3]), .int32([4, 5])])))
        #expect(value("test.nested.str") == .array(.array([.string(["a", "b"]), .string(["ç"])])))
        #expect(value("test.nested.mixed") == .array(.array([.int32([1, 2]), .string(["x"]), .float32([0.5, -2]),
                                                              .bool([true])])))
        #expect(value("test.nested.deep") == .array(.array([.array([.int32([1]), .int32([2, 3])]),
                                                            .array([.int32([4])])])))
        #expect(GGUFMetadata.typeName(value("test.nested.deep") ?? .bool(false)) == "[[[i32]]]")
        #expect(GGUFMetadata.typeName(value("test.nested.mixed") ?? .bool(false)) == "[arr]")
        #expect(value("test.nested.i32")?.description == "[[i32]] [[1,2,3],[4,5]]")
    }
}
