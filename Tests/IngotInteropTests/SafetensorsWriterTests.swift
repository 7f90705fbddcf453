import IngotFormat
import Testing

@testable import IngotInterop

/// The safetensors writer: layout rules, refusals, atomicity, and the crate's own test vectors.
@Suite struct SafetensorsWriterTests {
    func layout(_ dtype: DType, _ shape: [Int]) throws -> TensorLayout {
        try TensorLayout(name: "t", dtype: dtype, shape: shape, groupSize: nil)
    }

    func write(_ tensors: [(TensorDescriptor, [UInt8])], metadata: JSONObject = JSONObject(), in dir: TempDir) throws -> String {
        let p = dir.file("out.safetensors")
        try SafetensorsWriter(path: p, metadata: metadata, tensors: tensors.map(\.0)).write(ClosureSource(tensors.map(\.0)) { d in
            let bytes = tensors.first { $0.0 == d }?.1 ?? []
            return bytes.withUnsafeBytes { TensorBuffer(copying: $0) }
        })
        return p
    }

    /// The Rust crate's `test_serialization`: one F32 tensor "attn.0" of shape [1, 2, 3] holding 0…5.
    @Test func matchesTheCratesSerializationVector() throws {
        let dir = TempDir()
        let d = TensorDescriptor(name: "attn.0", layout: try layout(.f32, [1, 2, 3]))
        let p = try write([(d, rawBytes([Float(0), 1, 2, 3, 4, 5]))], in: dir)
        let expected: [UInt8] = [
            64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
            116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
            58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
            101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
            0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
        ]
        #expect(readBytes(p) == expected)
    }

    /// The Rust crate's `test_empty`: no tensors, with and without metadata.
    @Test func matchesTheCratesEmptyVectors() throws {
        let dir = TempDir()
        let p = try write([], in: dir)
        #expect(readBytes(p) == [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
        let q = try write([], metadata: JSONObject([("framework", .string("pt"))]), in: dir)
        #expect(readBytes(q) == [
            40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
            95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
            116, 34, 125, 125, 32, 32, 32, 32, 32,
        ])
    }

    @Test func headerIsPaddedToAMultipleOf8AndTensorsAreContiguousInOrder() throws {
        let dir = TempDir()
        let a = TensorDescriptor(name: "z", layout: try layout(.u8, [3]))
        let b = TensorDescriptor(name: "a", layout: try layout(.i16, [2]))
        let p = try write([(a, [1, 2, 3]), (b, [4, 5, 6, 7])], in: dir)
        let f = try SafetensorsFile(path: p)
        #expect(f.headerLength % 8 == 0)
        #expect(f.descriptors.map(\.name) == ["z", "a"])
        #expect(f.dataOffsets == [0..<3, 3..<7])
        #expect(Array(try f.load("a").bytes) == [4, 5, 6, 7])
    }

    @Test func nonStringMetadataIsStoredAsJSONText() throws {
        let dir = TempDir()
        let meta = JSONObject([("name", .string("x")), ("layers", .int(2)), ("eps", .double(1e-5)),
                               ("tags", .array([.string("a"), .bool(true)]))])
        let f = try SafetensorsFile(path: try write([], metadata: meta, in: dir))
        #expect(f.metadata == JSONObject([("name", .string("x")), ("layers", .string("2")), ("eps", .string("1e-05")),
                                          ("tags", .string("[\"a\",true]"))]))
    }

    @Test func nonFiniteMetadataIsRefused() throws {
        let dir = TempDir()
        let e = thrown(SafetensorsError.self) { _ = try write([], metadata: JSONObject([("x", .double(.nan))]), in: dir) }
        #expect(e == .unencodableMetadata(key: "x"))
        #expect(dir.entries.isEmpty)
    }

    @Test(arguments: [DType.q8_0, .q4_0, .q4_1])
    func blockQuantizedDTypesAreRefused(_ dtype: DType) throws {
        let dir = TempDir()
        let d = TensorDescriptor(name: "w", layout: try TensorLayout(name: "w", dtype: dtype, shape: [32], groupSize: 32))
        let e = thrown(SafetensorsError.self) { _ = try write([(d, [])], in: dir) }
        #expect(e == .cannotExport(tensor: "w", dtype: dtype))
        #expect(dir.entries.isEmpty)
    }

    @Test func metadataKeyAsTensorNameIsRefused() throws {
        let dir = TempDir()
        let d = TensorDescriptor(name: "__metadata__", layout: try layout(.u8, [1]))
        #expect(thrown(SafetensorsError.self) { _ = try write([(d, [0])], in: dir) } == .reservedTensorName)
    }

    @Test func duplicateTensorNamesAreRefused() throws {
        let dir = TempDir()
        let d = TensorDescriptor(name: "a", layout: try layout(.u8, [1]))
        #expect(thrown(SafetensorsError.self) { _ = try write([(d, [0]), (d, [0])], in: dir) } == .duplicateTensorName("a"))
    }

    @Test func wrongBufferSizeFailsAndLeavesNothing() throws {
        let dir = TempDir()
        let d = TensorDescriptor(name: "a", layout: try layout(.f32, [2]))
        let e = thrown(TensorWriteError.self) { _ = try write([(d, [0, 0, 0])], in: dir) }
        #expect(e == .sizeMismatch(tensor: "a", count: 3, expected: 8))
        #expect(dir.entries.isEmpty)
    }

    struct LoadFailed: Error {}

    @Test func failingLoadLeavesTheDestinationUntouched() throws {
        let dir = TempDir()
        let p = dir.write([1, 2, 3], name: "out.safetensors")
        let a = TensorDescriptor(name: "a", layout: try layout(.u8, [1]))
        let b = TensorDescriptor(name: "b", layout: try layout(.u8, [1]))
        // The source's error comes out as it was thrown (a real source names its own file).
        #expect(throws: LoadFailed.self) {
            try SafetensorsWriter(path: p, metadata: JSONObject(), tensors: [a, b]).write(ClosureSource([a, b]) { d in
                if d.name == "b" { throw LoadFailed() }
                return [UInt8(7)].withUnsafeBytes { TensorBuffer(copying: $0) }
            })
        }
        #expect(readBytes(p) == [1, 2, 3])
        #expect(dir.entries == ["out.safetensors"])
    }
}
