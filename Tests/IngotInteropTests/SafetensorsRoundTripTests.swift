import IngotFormat
import Testing

@testable import IngotInterop

/// safetensors → Ingot (raw and compressed) → safetensors must reproduce every tensor's bytes and the metadata.
@Suite struct SafetensorsRoundTripTests {
    static let fixtures = ["dtypes.safetensors", "tiny-llama/model.safetensors"]

    /// Writes `source` as an Ingot file through the real writer.
    func toIngot(_ source: SafetensorsFile, compression: CompressionOptions?, in dir: TempDir) throws -> IngotFile {
        let p = dir.file("model.ingot")
        try IngotWriter(path: p, options: .init(compression: compression), metadata: source.metadata).write(source)
        return try IngotFile(path: p)
    }

    func roundTrip(_ fixture: String, compression: CompressionOptions?) throws {
        let dir = TempDir()
        let original = try SafetensorsFile(path: Fixtures.path(fixture))
        let ingot = try toIngot(original, compression: compression, in: dir)
        let out = dir.file("back.safetensors")
        try SafetensorsWriter(path: out, source: ingot).write(ingot)
        let back = try SafetensorsFile(path: out)
        #expect(back.metadata == original.metadata)
        #expect(back.descriptors == original.descriptors)
        for d in original.descriptors {
            let a = try original.load(d.name), b = try back.load(d.name)
            #expect(a.withBytes { Array($0) } == b.withBytes { Array($0) }, "\(d.name)")
        }
        // Same order, same compact JSON, same padding: the file is byte-identical to the official writer's.
        #expect(readBytes(out) == readBytes(Fixtures.path(fixture)))
    }

    @Test(arguments: fixtures)
    func rawIngotRoundTrip(_ fixture: String) throws {
        try roundTrip(fixture, compression: nil)
    }

    @Test(arguments: fixtures)
    func compressedIngotRoundTrip(_ fixture: String) throws {
        try roundTrip(fixture, compression: CompressionOptions())
    }

    @Test func compressedIngotReallyCompressesSomething() throws {
        let dir = TempDir()
        let original = try SafetensorsFile(path: Fixtures.path("tiny-llama/model.safetensors"))
        let ingot = try toIngot(original, compression: CompressionOptions(), in: dir)
        #expect(ingot.tensors.contains { $0.encoding != .raw })
    }
}
