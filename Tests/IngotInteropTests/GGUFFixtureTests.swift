import IngotFormat
import Testing

@testable import IngotInterop

/// The GGUF reader against files written by gguf-py, checked against gguf-py's own values (expected.json).
@Suite struct GGUFFixtureTests {
    @Test(arguments: GGUFFixtures.names)
    func everyTensorEqualsGGUFPysValues(_ fixture: String) throws {
        let f = try GGUFFile(path: GGUFFixtures.path(fixture))
        let expected = GGUFFixtures.tensors(fixture)
        #expect(f.descriptors.count == expected.count && !expected.isEmpty)
        #expect(f.descriptors.map(\.name) == expected.keys, "file order")
        for d in f.descriptors {
            let e = expected[d.name]?.objectValue ?? JSONObject()
            #expect(d.layout.shape.map(Int64.init) == e["shape"]?.arrayValue?.compactMap(\.intValue), "shape of \(d.name)")
            let loaded = try f.load(d.name)
            #expect(loaded.count == d.layout.byteCount)
            if let id = d.layout.dtype.ggmlBlockType {
                // The fixture was written when Ingot dequantized Q5_x and K-quants on import: its "ingot_dtype" says
                // f32 and "xxh3_64" hashes gguf-py's dequantized floats. The blocks are now kept, so the decoded
                // blocks must hash the same, and the dtype must be the one of the file's GGML type.
                #expect(e["ingot_dtype"]?.stringValue == "f32")
                #expect(id == f.tensorInfo(d.name)?.type.rawValue, "dtype of \(d.name)")
                #expect(d.layout.groupSize == d.layout.dtype.fixedGroupSize)
                let values = try loaded.withBytes { try BlockCodec.floats($0, layout: d.layout, name: d.name) }
                #expect(values.withUnsafeBytes { XXH3.hash($0) } == GGUFFixtures.hex(e, "xxh3_64"), "values of \(d.name)")
            } else {
                #expect(d.layout.dtype.rawValue == e["ingot_dtype"]?.stringValue, "dtype of \(d.name)")
                #expect(d.layout.groupSize.map(Int64.init) == e["group_size"]?.intValue, "group size of \(d.name)")
                #expect(loaded.withBytes { XXH3.hash($0) } == GGUFFixtures.hex(e, "xxh3_64"), "values of \(d.name)")
            }
            let stored = try f.storedBytes(d.name)
            #expect(stored.withBytes { XXH3.hash($0) } == GGUFFixtures.hex(e, "raw_xxh3_64"), "stored bytes of \(d.name)")
        }
    }

    @Test(arguments: GGUFFixtures.names)
    func tensorInfosMatchTheHeader(_ fixture: String) throws {
        let f = try GGUFFile(path: GGUFFixtures.path(fixture))
        let file = GGUFFixtures.file(fixture)
        #expect(f.version == 3)
        #expect(Int64(f.alignment) == file["alignment"]?.intValue)
        #expect(Int64(f.dataOffset) == file["data_offset"]?.intValue)
        #expect(f.formatName == "gguf")
        for t in f.tensorInfos {
            let e = GGUFFixtures.tensors(fixture)[t.name]?.objectValue ?? JSONObject()
            #expect(t.type.name == e["ggml_type"]?.stringValue)
            #expect(Int64(t.type.rawValue) == e["type_id"]?.intValue)
            #expect(t.dims.map(Int64.init) == e["dims"]?.arrayValue?.compactMap(\.intValue), "GGUF order")
            #expect(t.shape == t.dims.reversed())
            #expect(Int64(t.offset) == e["offset"]?.intValue)
            #expect(Int64(t.byteCount) == e["n_bytes"]?.intValue)
            #expect(Int64(t.elementCount) == e["n_elements"]?.intValue)
        }
    }

    /// Q5_0, Q5_1 and the K-quants load as Ingot's fixed-layout block dtypes with the bytes unchanged, and
    /// `BlockCodec` decodes them to gguf-py's `gguf.quants.dequantize` floats bit for bit (including blocks whose f16
    /// scale is ±Inf, NaN, 0, max and subnormal).
    @Test(arguments: ["q5_0", "q5_1", "q4_k", "q5_k", "q6_k", "q4_k_special_scales", "q6_k_special_scales"])
    func fixedBlockTypesDecodeLikeGGUFPyExactly(_ name: String) throws {
        let f = try GGUFFile(path: GGUFFixtures.path("tensor_types.gguf"))
        let e = GGUFFixtures.tensors("tensor_types.gguf")[name]?.objectValue ?? JSONObject()
        let info = try #require(f.tensorInfo(name))
        let d = try #require(f.descriptors.first { $0.name == name })
        #expect(d.layout.dtype.ggmlBlockType == info.type.rawValue)
        #expect(d.layout.byteCount == info.byteCount)
        let values = try f.load(name).withBytes { try BlockCodec.floats($0, layout: d.layout, name: name) }
        #expect(values.withUnsafeBytes { XXH3.hash($0) } == GGUFFixtures.hex(e, "f32_xxh3_64"))
    }

    /// Q8_0/Q4_0/Q4_1 are exposed as Ingot's q8_0/q4_0/q4_1 (group 32) with the bytes unchanged. Decoding those
    /// bytes by Ingot's definition of the types (specs/quant.md: x = d·q, d·(q−8), d·q + m; nibble j low, j+16 high)
    /// must give gguf-py's dequantized values: the two formats' blocks mean the same thing.
    @Test(arguments: ["q8_0", "q4_0", "q4_1"])
    func legacyQuantBlocksMeanWhatIngotsDtypesMean(_ name: String) throws {
        let f = try GGUFFile(path: GGUFFixtures.path("tensor_types.gguf"))
        let e = GGUFFixtures.tensors("tensor_types.gguf")[name]?.objectValue ?? JSONObject()
        let d = try #require(f.descriptors.first { $0.name == name })
        let buffer = try f.load(name)
        let bytes = buffer.withBytes { Array($0) }
        let unit = d.layout.unitBytes
        var out: [Float] = []
        for block in stride(from: 0, to: bytes.count, by: unit) {
            func half(_ i: Int) -> Float { Float(Float16(bitPattern: UInt16(bytes[block + i]) | UInt16(bytes[block + i + 1]) << 8)) }
            switch d.layout.dtype {
            case .q8_0:
                let s = half(0)
                for j in 0..<32 { out.append(s * Float(Int8(bitPattern: bytes[block + 2 + j]))) }
            case .q4_0:
                let s = half(0)
                let q = (0..<32).map { j in Int(j < 16 ? bytes[block + 2 + j] & 0xF : bytes[block + 2 + j - 16] >> 4) }
                for v in q { out.append(s * Float(v - 8)) }
            default:
                let s = half(0), m = half(2)
                let q = (0..<32).map { j in Int(j < 16 ? bytes[block + 4 + j] & 0xF : bytes[block + 4 + j - 16] >> 4) }
                for v in q { out.append(s * Float(v) + m) }
            }
        }
        #expect(out.count == d.layout.elementCount)
        #expect(out.withUnsafeBytes { XXH3.hash($0) } == GGUFFixtures.hex(e, "f32_xxh3_64"))
    }

    @Test func typesIngotHasAreZeroCopyViews() throws {
        let f = try GGUFFile(path: GGUFFixtures.path("tensor_types.gguf"))
        for t in f.tensorInfos {
            let b = try f.load(t.name)
            #expect(ObjectIdentifier(b.owner) == ObjectIdentifier(f.file), "\(t.name)")
            #expect(b.bytes.baseAddress == f.file.bytes.baseAddress.map { $0 + f.dataOffset + t.offset })
        }
    }

    @Test func everyTensorTypeIsCovered() throws {
        let f = try GGUFFile(path: GGUFFixtures.path("tensor_types.gguf"))
        // Q2_K, Q3_K and IQ4_NL are not in this gguf-py fixture (gguf-py cannot quantize them); fixtures/kquants holds
        // blocks of both made by ggml itself, tested in IngotFormatTests.
        #expect(Set(f.tensorInfos.map(\.type)) == Set(GGUFTensorType.allCases).subtracting([.q2_K, .q3_K, .iq4_NL]))
    }

    @Test func shapesAreGGUFDimsReversed() throws {
        let f = try GGUFFile(path: GGUFFixtures.path("tensor_types.gguf"))
        let byName = Dictionary(f.descriptors.map { ($0.name, $0.layout.shape) }, uniquingKeysWith: { a, _ in a })
        #expect(f.tensorInfo("f32_3d")?.dims == [64, 3, 2])
        #expect(byName["f32_3d"] == [2, 3, 64])
        #expect(byName["f16_4d"] == [2, 2, 2, 32])
        #expect(byName["q4_k"] == [8, 1024])
    }

    @Test func scalarEmptyAndSharedOffsetTensors() throws {
        let f = try GGUFFile(path: GGUFFixtures.path("kv_types.gguf"))
        #expect(f.tensorInfo("scalar")?.dims == [])
        #expect(f.descriptors.first { $0.name == "scalar" }?.layout.shape == [])
        #expect(try f.load("scalar").withBytes { $0.loadUnaligned(as: Float.self) } == 7.5)
        #expect(f.descriptors.first { $0.name == "empty" }?.layout.shape == [0, 4])
        #expect(try f.load("empty").count == 0)
        // gguf-py gives the empty tensor the next tensor's offset: no bytes, so no overlap.
        #expect(f.tensorInfo("empty")?.offset == f.tensorInfo("after_empty")?.offset)
    }

    @Test func namesAndKeysDifferingOnlyByNormalisationStayApart() throws {
        let f = try GGUFFile(path: GGUFFixtures.path("kv_types.gguf"))
        let nfc = "tensor.\u{e9}", nfd = "tensor.e\u{301}"
        #expect(try f.load(nfc).count == 8)
        #expect(try f.load(nfd).count == 12)
        #expect(f.value(forKey: "test.key.\u{e9}") == .string("NFC key"))
        #expect(f.value(forKey: "test.key.e\u{301}") == .string("NFD key"))
        #expect(f.metadata["test.key.\u{e9}"] == .string("NFC key"))
        #expect(f.metadata["test.key.e\u{301}"] == .string("NFD key"))
    }

    @Test func unknownTensorNameIsNoSuchTensor() throws {
        let f = try GGUFFile(path: GGUFFixtures.path("tensor_types.gguf"))
        #expect(thrown(IngotError.self) { _ = try f.load("nope") } == .noSuchTensor("nope"))
        #expect(thrown(IngotError.self) { _ = try f.storedBytes("nope") } == .noSuchTensor("nope"))
    }

    @Test func versionTwoReadsLikeVersionThree() throws {
        var bytes = readBytes(GGUFFixtures.path("kv_types.gguf"))
        bytes[4] = 2  // v2 and v3 share the layout (v3 only added big-endian files)
        let f = try openGGUF(bytes)
        #expect(f.version == 2)
        let v3 = try GGUFFile(path: GGUFFixtures.path("kv_types.gguf"))
        #expect(f.keyValues == v3.keyValues)
        #expect(f.tensorInfos == v3.tensorInfos)
    }
}
