import Testing
@testable import IngotFormat

/// specs/format.md §7.2, the writer's chunk size: the requested size (1 … 64 MiB) rounded down to a multiple of the
/// tensor's unit, at least one unit, not reduced to the tensor's size.
@Suite struct WriterChunkSizeTests {
    func chunkSize(_ dtype: DType, shape: [Int], groupSize: Int? = nil, requested: Int) throws -> Int? {
        let layout = try TensorLayout(name: "t", dtype: dtype, shape: shape, groupSize: groupSize)
        let zeros = [UInt8](repeating: 0, count: layout.byteCount)
        let r = try zeros.withUnsafeBytes {
            try TensorCompression.compress($0, layout: layout, options: CompressionOptions(chunkBytes: requested), threads: 1)
        }
        guard case let .chunked(chunkBytes, _)? = r?.encoding else { return nil }
        return chunkBytes
    }

    @Test func roundedDownToTheUnit() throws {
        #expect(try chunkSize(.f32, shape: [1 << 19], requested: 1 << 20) == 1 << 20)
        #expect(try chunkSize(.f32, shape: [4096], requested: 1023) == 1020)
        // q8_0 at G = 32: 34-byte blocks.
        #expect(try chunkSize(.q8_0, shape: [1024, 1024], groupSize: 32, requested: 1 << 20) == 1_048_560)
        #expect(try chunkSize(.q8_0, shape: [64, 64], groupSize: 32, requested: 20) == 34)
        // Larger than the tensor: kept (one chunk).
        #expect(try chunkSize(.bf16, shape: [4096], requested: 1 << 20) == 1 << 20)
    }

    @Test func outOfRangeRequestsAreRefused() throws {
        let dir = TempDir()
        for bad in [0, -1, Limits.maxChunkBytes + 1] {
            #expect(throws: FileError.self) {
                _ = try IngotWriter(path: dir.file("x.ingot"), options: .init(compression: CompressionOptions(chunkBytes: bad)))
            }
            #expect(throws: IngotError.self) { _ = try chunkSize(.f32, shape: [16], requested: bad) }
        }
        #expect(dir.entries.isEmpty)
        #expect(try chunkSize(.f32, shape: [16], requested: Limits.maxChunkBytes) == Limits.maxChunkBytes)
    }
}
