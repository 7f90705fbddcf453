import IngotFormat
import Testing

@testable import IngotInterop

/// The safetensors reader against files written by the official `safetensors` package.
@Suite struct SafetensorsFixtureTests {
    @Test(arguments: ["dtypes.safetensors", "tiny-llama/model.safetensors"])
    func tensorsMatchExpected(_ fixture: String) throws {
        let f = try SafetensorsFile(path: Fixtures.path(fixture))
        try expectMatchesFixture(f, fixture)
    }

    @Test(arguments: ["dtypes.safetensors", "tiny-llama/model.safetensors"])
    func metadataMatchesExpected(_ fixture: String) throws {
        let f = try SafetensorsFile(path: Fixtures.path(fixture))
        #expect(f.metadata == Fixtures.file(fixture)["metadata"]?.objectValue)
        #expect(f.headerLength == Fixtures.file(fixture)["header_length"]?.intValue.map(Int.init))
        #expect(f.formatName == "safetensors")
    }

    @Test func nonASCIIMetadataIsKeptVerbatim() throws {
        let f = try SafetensorsFile(path: Fixtures.path("tiny-llama/model.safetensors"))
        #expect(f.metadata["description"]?.stringValue?.contains("not trained — Ingot test fixture ✓") == true)
    }

    @Test func descriptorsAreInDataOffsetOrderWithTheHeadersOffsets() throws {
        let f = try SafetensorsFile(path: Fixtures.path("dtypes.safetensors"))
        let expected = Fixtures.tensors("dtypes.safetensors")
        for (d, r) in zip(f.descriptors, f.dataOffsets) {
            let offsets = expected[d.name]?.objectValue?["data_offsets"]?.arrayValue?.compactMap(\.intValue)
            #expect(offsets == [Int64(r.lowerBound), Int64(r.upperBound)], "\(d.name)")
        }
        #expect(f.dataOffsets.map(\.lowerBound) == f.dataOffsets.map(\.lowerBound).sorted())
        // Zero-length tensors sharing an offset with a real one come first (sorted by begin, then end).
        #expect(f.descriptors.map(\.name).prefix(4) == ["i64", "scalar_i64", "f64", "empty_f32"])
    }

    @Test func scalarsAndEmptyTensors() throws {
        let f = try SafetensorsFile(path: Fixtures.path("dtypes.safetensors"))
        let byName = Dictionary(f.descriptors.map { ($0.name, $0.layout) }, uniquingKeysWith: { a, _ in a })
        #expect(byName["scalar_f32"]?.shape == [])
        #expect(byName["scalar_f32"]?.byteCount == 4)
        #expect(byName["empty_f32"]?.shape == [3, 0, 2])
        #expect(try f.load("empty_f32").count == 0)
        #expect(try f.load("empty_i8").count == 0)
    }

    @Test func loadIsAZeroCopyViewOfTheMapping() throws {
        let f = try SafetensorsFile(path: Fixtures.path("tiny-llama/model.safetensors"))
        let b = try f.load("lm_head.weight")
        #expect(ObjectIdentifier(b.owner) == ObjectIdentifier(f.file))
        let start = f.file.bytes.baseAddress.map { $0 + 8 + f.headerLength }
        #expect(b.bytes.baseAddress == start)
    }

    @Test func unknownTensorNameIsNoSuchTensor() throws {
        let f = try SafetensorsFile(path: Fixtures.path("dtypes.safetensors"))
        #expect(thrown(IngotError.self) { _ = try f.load("nope") } == .noSuchTensor("nope"))
    }
}
