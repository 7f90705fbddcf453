import IngotFormat
import Testing

@testable import IngotInterop

/// The `.npy` reader against arrays written by numpy.
@Suite struct NpyFixtureTests {
    static let readable = ["c_order_f32", "fortran_f32", "big_endian_f32", "big_endian_i32", "scalar_f64",
                           "format_v2_f32", "format_v3_i16"]

    @Test(arguments: readable)
    func arrayMatchesExpected(_ stem: String) throws {
        let f = try NpyFile(path: Fixtures.path("npy/\(stem).npy"))
        #expect(f.name == stem)
        #expect(f.descriptors.map(\.name) == [stem])
        #expect(f.formatName == "npy")
        // expected.json names the single tensor of a .npy "array".
        try expectMatchesFixture(f, "npy/\(stem).npy", rename: { _ in "array" })
    }

    @Test(arguments: readable)
    func headerFieldsMatchExpected(_ stem: String) throws {
        let f = try NpyFile(path: Fixtures.path("npy/\(stem).npy"))
        let e = Fixtures.file("npy/\(stem).npy")
        #expect(f.array.descr == e["npy_descr"]?.stringValue)
        #expect(f.array.fortranOrder == e["fortran_order"]?.boolValue)
        #expect([Int64(f.array.majorVersion), Int64(f.array.minorVersion)] == e["npy_version"]?.arrayValue?.compactMap(\.intValue))
    }

    @Test func fortranAndBigEndianGiveTheCOrderHash() throws {
        let hashes = try ["c_order_f32", "fortran_f32", "big_endian_f32"].map { stem in
            let f = try NpyFile(path: Fixtures.path("npy/\(stem).npy"))
            return try f.load(stem).withBytes { XXH3.hash($0) }
        }
        #expect(hashes == [0xaad4_bddd_0bfd_afc1, 0xaad4_bddd_0bfd_afc1, 0xaad4_bddd_0bfd_afc1])
    }

    @Test func objectArrayIsRefused() {
        let e = thrown(NpyError.self) { _ = try NpyFile(path: Fixtures.path("npy/object.npy")) }
        #expect(e == .objectArray(descr: "|O"))
        #expect(Fixtures.file("npy/object.npy")["must_refuse"] == .bool(true))
    }

    @Test func cOrderLittleEndianIsZeroCopy() throws {
        let f = try NpyFile(path: Fixtures.path("npy/c_order_f32.npy"))
        #expect(f.array.isZeroCopy)
        let owner = try f.load("c_order_f32").owner
        #expect(ObjectIdentifier(owner) == ObjectIdentifier(f.file))
    }

    @Test func fortranAndBigEndianAreDecodedIntoOwnedBuffers() throws {
        for stem in ["fortran_f32", "big_endian_f32"] {
            let f = try NpyFile(path: Fixtures.path("npy/\(stem).npy"))
            #expect(!f.array.isZeroCopy)
            let owned = try f.load(stem).owner is OwnedBytes
            #expect(owned)
        }
    }

    @Test func tensorIsNamedAfterTheFile() {
        #expect(NpyFile.tensorName(path: "/a/b/weights.npy") == "weights")
        #expect(NpyFile.tensorName(path: "weights") == "weights")
        #expect(NpyFile.tensorName(path: "/a/.npy") == "array")
    }
}
