import Testing
@testable import IngotFormat

@Suite struct RoundTripTests {
    @Test func rawTensorsRoundTripAsZeroCopyViews() throws {
        let dir = TempDir()
        let a = weights(1000), b = weights(7, seed: 2)
        _ = try writeContainer([("a", a), ("b", b)], in: dir)
        let f = try IngotFile(path: dir.file("t.ingot"))
        #expect(f.tensors.map(\.name) == ["a", "b"])
        let va = try #require(f.view(f.tensors[0]))
        #expect(Array(va.bytes.bindMemory(to: Float.self)) == a)
        #expect(Int(bitPattern: va.bytes.baseAddress) % 64 == 0)
        #expect(try FloatConversion.toFloats(f.load(f.tensors[1]).bytes, dtype: .f32) == b)
    }

    @Test func compressedTensorsRoundTrip() throws {
        let dir = TempDir()
        let a = weights(300_000)
        _ = try writeContainer([("a", a)], compression: CompressionOptions(chunkBytes: 1 << 16), in: dir)
        let f = try IngotFile(path: dir.file("t.ingot"))
        let e = f.tensors[0]
        #expect(e.encoding == .chunked(chunkBytes: 1 << 16, filter: .bytegroup))
        #expect(e.length < e.layout.byteCount)
        #expect(f.view(e) == nil)
        let back = try f.verify(e)
        #expect(try FloatConversion.toFloats(back.bytes, dtype: .f32) == a)
    }

    @Test func exponentPlaneIsEntropyCodedAndMantissaPlanesStored() throws {
        let dir = TempDir()
        // Like trained weights: random sign and mantissa, exponents from a narrow, skewed range.
        var s: UInt64 = 5
        let values = (0..<16_384).map { _ -> Float in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            let r = UInt32(truncatingIfNeeded: s >> 32)
            let exponent: UInt32 = 118 + (r >> 29)  // 8 values, uniform
            return Float(bitPattern: (r & 0x8000_0000) | exponent << 23 | UInt32(truncatingIfNeeded: s >> 9) & 0x7fffff)
        }
        _ = try writeContainer([("a", values)], compression: CompressionOptions(), in: dir)
        let f = try IngotFile(path: dir.file("t.ingot"))
        let stored = f.storedBytes(f.tensors[0])
        // One chunk: a 4-byte table, then the 4-plane directory (codec, u32 length) of the f32 planes.
        let codecs = (0..<4).map { stored[4 + 5 * $0] }
        #expect(codecs[3] == 2)  // exponent plane: rANS
        #expect(codecs[0] == 0)  // lowest mantissa byte: incompressible, stored
    }

    @Test func incompressibleTensorStaysRaw() throws {
        let dir = TempDir()
        var s: UInt64 = 7
        let noise = (0..<4096).map { _ -> Float in
            s = s &* 6364136223846793005 &+ 1; return Float(bitPattern: UInt32(truncatingIfNeeded: s >> 32))
        }
        _ = try writeContainer([("n", noise)], compression: CompressionOptions(), in: dir)
        #expect(try IngotFile(path: dir.file("t.ingot")).tensors[0].encoding == .raw)
    }

    @Test func rowRangeDecodesOnlyCoveringChunks() throws {
        let dir = TempDir()
        let a = weights(100_000)
        _ = try writeContainer([("a", a)], compression: CompressionOptions(chunkBytes: 4096), in: dir)
        let f = try IngotFile(path: dir.file("t.ingot"))
        let part = try f.loadBytes(f.tensors[0], range: (4 * 5000)..<(4 * 5100))
        #expect(try FloatConversion.toFloats(part.bytes, dtype: .f32) == Array(a[5000..<5100]))
    }

    @Test func writerIsDeterministic() throws {
        let dir = TempDir()
        var meta = JSONObject()
        meta["k"] = .array([.int(1), .double(0.5), .string("x"), .bool(true), .null])
        let one = try writeContainer([("a", weights(5000)), ("b", weights(3))], compression: CompressionOptions(), metadata: meta, in: dir, name: "1.ingot")
        let two = try writeContainer([("a", weights(5000)), ("b", weights(3))], compression: CompressionOptions(), metadata: meta, in: dir, name: "2.ingot")
        #expect(one == two)
    }

    @Test func outputDoesNotDependOnThreadCount() throws {
        let dir = TempDir()
        var paths: [String] = []
        for threads in [1, 3] {
            let p = dir.file("t\(threads).ingot")
            let w = try IngotWriter(path: p, options: .init(compression: CompressionOptions(chunkBytes: 4096), threads: threads))
            let v = weights(50_000)
            try v.withUnsafeBytes { try w.append(TensorDescriptor(name: "a", layout: TensorLayout(name: "a", dtype: .f32, shape: [v.count], groupSize: nil)), bytes: $0) }
            try w.finish()
            paths.append(p)
        }
        #expect(readBytes(paths[0]) == readBytes(paths[1]))
    }

    @Test func typedMetadataRoundTrips() throws {
        let dir = TempDir()
        var meta = JSONObject()
        meta["int"] = .int(Int64.max)
        meta["neg"] = .int(-3)
        meta["float"] = .double(1e-5)
        meta["whole_float"] = .double(2)
        meta["bool"] = .bool(false)
        meta["text"] = .string("naïve — \"quoted\"\n")
        meta["nested"] = .object(JSONObject([("list", .array([.int(1), .array([])])), ("empty", .object(JSONObject()))]))
        _ = try writeContainer([], metadata: meta, in: dir)
        let f = try IngotFile(path: dir.file("t.ingot"))
        #expect(f.metadata == meta)
        #expect(f.metadata["whole_float"] == .double(2))
    }

    @Test func emptyAndZeroSizedTensors() throws {
        let dir = TempDir()
        let p = dir.file("z.ingot")
        let w = try IngotWriter(path: p, options: .init(compression: CompressionOptions()))
        try w.append(TensorDescriptor(name: "empty", layout: TensorLayout(name: "empty", dtype: .f32, shape: [0, 4], groupSize: nil)), bytes: UnsafeRawBufferPointer(start: nil, count: 0))
        var one: Float = 3
        try withUnsafeBytes(of: &one) { try w.append(TensorDescriptor(name: "scalar", layout: TensorLayout(name: "scalar", dtype: .f32, shape: [], groupSize: nil)), bytes: $0) }
        try w.finish()
        let f = try IngotFile(path: p)
        #expect(f.tensors.map(\.shape) == [[0, 4], []])
        for t in f.tensors { try f.verify(t) }
    }

    @Test func alignmentIsRecordedAndHonoured() throws {
        let dir = TempDir()
        let p = dir.file("a.ingot")
        let w = try IngotWriter(path: p, options: .init(alignment: 256))
        for n in ["a", "b", "c"] {
            let v = weights(3)
            try v.withUnsafeBytes { try w.append(TensorDescriptor(name: n, layout: TensorLayout(name: n, dtype: .f32, shape: [3], groupSize: nil)), bytes: $0) }
        }
        try w.finish()
        let f = try IngotFile(path: p)
        #expect(f.header.alignment == 256)
        #expect(f.tensors.map(\.offset) == [0, 256, 512])
    }

    @Test func fileStartsWithMagicAndPageAlignedData() throws {
        let dir = TempDir()
        let bytes = try writeContainer([("a", weights(10))], in: dir)
        #expect(Array(bytes.prefix(8)) == Preamble.magic)
        let f = try IngotFile(path: dir.file("t.ingot"))
        #expect(f.dataOffset % 4096 == 0)
        #expect(bytes.count == f.dataOffset + 40)
    }
}
