import IngotFormat
import Testing

@testable import IngotInterop

/// The `.npz` reader against archives written by `numpy.savez` (stored) and `numpy.savez_compressed` (deflated).
@Suite struct NpzFixtureTests {
    @Test(arguments: ["arrays.npz", "arrays_compressed.npz"])
    func arraysMatchExpected(_ fixture: String) throws {
        let f = try NpzFile(path: Fixtures.path(fixture))
        #expect(f.formatName == "npz")
        try expectMatchesFixture(f, fixture)
    }

    @Test func storedAndCompressedGiveIdenticalTensors() throws {
        let a = try NpzFile(path: Fixtures.path("arrays.npz"))
        let b = try NpzFile(path: Fixtures.path("arrays_compressed.npz"))
        #expect(a.descriptors == b.descriptors)
        for d in a.descriptors {
            #expect(try a.load(d.name).withBytes { Array($0) } == b.load(d.name).withBytes { Array($0) }, "\(d.name)")
        }
    }

    @Test func methodsAreAsNumpyWroteThem() throws {
        #expect(try ZipArchive(file: MappedFile(path: Fixtures.path("arrays.npz"))).entries.allSatisfy { $0.method == .stored })
        #expect(try ZipArchive(file: MappedFile(path: Fixtures.path("arrays_compressed.npz"))).entries
                .allSatisfy { $0.method == .deflated })
    }

    @Test func membersKeepTheArchiveOrder() throws {
        let f = try NpzFile(path: Fixtures.path("arrays.npz"))
        #expect(f.descriptors.map(\.name) == f.archive.entries.map { String($0.name.dropLast(4)) })
    }

    @Test func storedLittleEndianMembersAreZeroCopy() throws {
        let f = try NpzFile(path: Fixtures.path("arrays.npz"))
        let owner = try f.load("f32").owner
        #expect(ObjectIdentifier(owner) == ObjectIdentifier(f.archive.file))
        let g = try NpzFile(path: Fixtures.path("arrays_compressed.npz"))
        let owned = try g.load("f32").owner is OwnedBytes
        #expect(owned)
    }

    @Test func localHeadersWithZip64SizesAreResolvedFromTheDirectory() throws {
        // numpy writes 0xFFFFFFFF sizes in every local header; the reader must use the directory's sizes.
        let bytes = readBytes(Fixtures.path("arrays.npz"))
        #expect(Array(bytes[18..<26]) == [UInt8](repeating: 0xFF, count: 8))
        let z = try ZipArchive(file: MappedFile(path: Fixtures.path("arrays.npz")))
        #expect(z.entries.first?.uncompressedSize == 176)
    }
}
