import IngotFormat
import Testing

@testable import IngotInterop

/// One test per rule of the zip reader and the `.npz` layer: each hand-made archive fails with that rule's error.
@Suite struct ZipBadFileTests {
    static let npy: [UInt8] = NpyBadFileTests.craft("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", data: [1, 2, 3])

    /// Opens `bytes` as an archive (and reads every entry) and returns the zip rule broken, nil when valid.
    func zipError(_ bytes: [UInt8], limits: ZipLimits = ZipLimits()) -> ZipError? {
        let dir = TempDir()
        let p = dir.write(bytes, name: "t.zip")
        return thrown(ZipError.self) {
            let z = try ZipArchive(file: MappedFile(path: p), limits: limits)
            for e in z.entries { _ = try z.contents(of: e) }
        }
    }

    /// Opens `bytes` as an .npz and loads every tensor; returns whatever was thrown, unwrapped from `FileError`.
    func npzError(_ bytes: [UInt8]) -> (any Error)? {
        let dir = TempDir()
        let p = dir.write(bytes, name: "t.npz")
        do {
            let f = try NpzFile(path: p)
            for d in f.descriptors { _ = try f.load(d.name) }
        } catch let e as FileError {
            #expect(e.path == p)
            return e.underlying
        } catch { return error }
        return nil
    }

    @Test func validArchivesAreAccepted() throws {
        #expect(zipError(ZipBuilder(members: [.stored("x.npy", Self.npy)]).build()) == nil)
        #expect(zipError(ZipBuilder(members: [.deflated("x.npy", stream: storedDeflate(Self.npy), data: Self.npy)]).build()) == nil)
        #expect(zipError(ZipBuilder(members: [.stored("x.npy", Self.npy)], zip64End: true).build()) == nil)
        var m = ZipBuilder.Member.stored("x.npy", Self.npy)
        m.zip64Size = true
        #expect(zipError(ZipBuilder(members: [m]).build()) == nil)
        #expect(npzError(ZipBuilder(members: [.stored("x.npy", Self.npy)]).build()) == nil)
    }

    @Test func emptyArchiveIsAnEmptyNpz() throws {
        let dir = TempDir()
        let f = try NpzFile(path: dir.write(ZipBuilder(members: []).build(), name: "e.npz"))
        #expect(f.descriptors.isEmpty)
    }

    @Test func noEndRecord() {
        #expect(zipError(Array("definitely not a zip archive".utf8)) == .noEndRecord)
        #expect(zipError([]) == .noEndRecord)
    }

    @Test func truncatedEndRecord() {
        let z = ZipBuilder(members: [.stored("x.npy", Self.npy)]).build()
        for cut in 1...18 { #expect(zipError(Array(z.dropLast(cut))) == .truncatedEndRecord, "cut \(cut)") }
    }

    @Test func centralDirectoryBeyondFile() {
        var b = ZipBuilder(members: [.stored("x.npy", Self.npy)])
        b.directorySize = 5000
        guard case .centralDirectoryBeyondFile = zipError(b.build()) else { Issue.record("expected centralDirectoryBeyondFile"); return }
        b.directorySize = nil
        b.directoryOffset = 0xFFFF_FF00
        guard case .centralDirectoryBeyondFile = zipError(b.build()) else { Issue.record("expected centralDirectoryBeyondFile"); return }
    }

    @Test func countTheDirectoryCannotHold() {
        var b = ZipBuilder(members: [.stored("x.npy", Self.npy)])
        b.count = 1000
        #expect(zipError(b.build()) == .badCentralDirectory("1000 records cannot fit in 51 bytes"))
    }

    @Test func entryCountOverTheCap() {
        let members = (0..<3).map { ZipBuilder.Member.stored("a\($0).npy", Self.npy) }
        #expect(zipError(ZipBuilder(members: members).build(), limits: ZipLimits(maxEntries: 2)) == .tooManyEntries(count: 3, cap: 2))
        // A ZIP64 end record can claim 2^64 - 1 entries in a tiny file.
        var b = ZipBuilder(members: [.stored("x.npy", Self.npy)], zip64End: true)
        b.zip64Count = UInt64.max
        #expect(zipError(b.build()) == .tooManyEntries(count: Int.max, cap: Limits.maxTensors))
    }

    @Test func badLocalHeaderSignature() {
        var m = ZipBuilder.Member.stored("x.npy", Self.npy)
        m.localSignature = 0x1234_5678
        #expect(zipError(ZipBuilder(members: [m]).build()) == .badLocalHeader(entry: "x.npy", reason: "no signature at 0"))
    }

    @Test func localNameDiffersFromDirectory() {
        var m = ZipBuilder.Member.stored("x.npy", Self.npy)
        m.localName = "y.npy"
        #expect(zipError(ZipBuilder(members: [m]).build())
                == .badLocalHeader(entry: "x.npy", reason: "name differs from the central directory"))
    }

    @Test func localMethodDiffersFromDirectory() {
        var m = ZipBuilder.Member.stored("x.npy", Self.npy)
        m.localMethod = 8
        #expect(zipError(ZipBuilder(members: [m]).build())
                == .badLocalHeader(entry: "x.npy", reason: "method 8 differs from the directory's 0"))
    }

    @Test func localHeaderOffsetPastTheDirectory() {
        var m = ZipBuilder.Member.stored("x.npy", Self.npy)
        m.localOffset = 100_000
        guard case .badLocalHeader = zipError(ZipBuilder(members: [m]).build()) else { Issue.record("expected badLocalHeader"); return }
    }

    @Test func unsupportedMethod() {
        var m = ZipBuilder.Member.stored("x.npy", Self.npy)
        m.method = 12  // bzip2
        #expect(zipError(ZipBuilder(members: [m]).build()) == .unsupportedMethod(entry: "x.npy", method: 12))
    }

    @Test func encryptedEntry() {
        var m = ZipBuilder.Member.stored("x.npy", Self.npy)
        m.flags = 1
        #expect(zipError(ZipBuilder(members: [m]).build()) == .encrypted(entry: "x.npy"))
    }

    @Test func crcMismatchStored() {
        var m = ZipBuilder.Member.stored("x.npy", Self.npy)
        m.crc ^= 1
        #expect(zipError(ZipBuilder(members: [m]).build())
                == .crcMismatch(entry: "x.npy", expected: m.crc, actual: TestCRC32.checksum(Self.npy)))
    }

    @Test func crcMismatchDeflated() {
        var m = ZipBuilder.Member.deflated("x.npy", stream: storedDeflate(Self.npy), data: Self.npy)
        m.crc ^= 0x8000_0000
        #expect(zipError(ZipBuilder(members: [m]).build())
                == .crcMismatch(entry: "x.npy", expected: m.crc, actual: TestCRC32.checksum(Self.npy)))
    }

    @Test func deflateBombCannotInflatePastItsDeclaredSize() {
        // 1033 bytes that inflate to 1 MiB, declared as 1000 bytes: the reader stops at 1000 and refuses.
        var m = ZipBuilder.Member.deflated("zeros.bin", stream: zerosMiBDeflate, data: [UInt8](repeating: 0, count: 1000))
        m.uncompressedSize = 1000
        #expect(zipError(ZipBuilder(members: [m]).build()) == .inflatesPastDeclaredSize(entry: "zeros.bin", declared: 1000))
    }

    @Test func npzBombIsRefusedOnLoad() {
        // A valid .npy header for 100 bytes, then 1 MiB: the header reads fine, the load refuses.
        let declared = 128 + 100
        let m = ZipBuilder.Member(name: "x.npy", payload: npyBombDeflate, method: 8, crc: 0, uncompressedSize: UInt64(declared))
        #expect(npzError(ZipBuilder(members: [m]).build()) as? ZipError
                == .inflatesPastDeclaredSize(entry: "x.npy", declared: declared))
    }

    @Test func deflateShorterThanDeclared() {
        var m = ZipBuilder.Member.deflated("x.npy", stream: storedDeflate(Self.npy), data: Self.npy)
        m.uncompressedSize += 10
        #expect(zipError(ZipBuilder(members: [m]).build())
                == .inflatesShort(entry: "x.npy", declared: Self.npy.count + 10, actual: Self.npy.count))
    }

    @Test func corruptDeflate() {
        var stream = storedDeflate(Self.npy)
        stream[3] ^= 0xFF  // NLEN no longer the complement of LEN
        guard case .corruptDeflate = zipError(ZipBuilder(members: [.deflated("x.npy", stream: stream, data: Self.npy)]).build())
        else { Issue.record("expected corruptDeflate"); return }
        let truncated = Array(storedDeflate(Self.npy).dropLast(5))
        #expect(zipError(ZipBuilder(members: [.deflated("x.npy", stream: truncated, data: Self.npy)]).build())
                == .corruptDeflate(entry: "x.npy", reason: "the stream is truncated"))
    }

    @Test func declaredSizeOverTheCap() {
        var m = ZipBuilder.Member.deflated("x.npy", stream: zerosMiBDeflate, data: [])
        m.uncompressedSize = 17 << 30  // 17 GiB, through a ZIP64 extra field
        m.zip64Size = true
        #expect(zipError(ZipBuilder(members: [m]).build()) == .entryTooLarge(entry: "x.npy", size: 17 << 30, cap: 16 << 30))
        #expect(zipError(ZipBuilder(members: [.stored("x.npy", Self.npy)]).build(), limits: ZipLimits(maxEntryBytes: 100))
                == .entryTooLarge(entry: "x.npy", size: UInt64(Self.npy.count), cap: 100))
    }

    @Test func storedSizesMustAgree() {
        var m = ZipBuilder.Member.stored("x.npy", Self.npy)
        m.uncompressedSize = 7
        #expect(zipError(ZipBuilder(members: [m]).build())
                == .storedSizeMismatch(entry: "x.npy", compressed: Self.npy.count, uncompressed: 7))
    }

    @Test func nameOverTheCap() {
        let m = ZipBuilder.Member.stored(String(repeating: "n", count: 300) + ".npy", Self.npy)
        #expect(zipError(ZipBuilder(members: [m]).build(), limits: ZipLimits(maxNameBytes: 256)) == .nameTooLong(length: 304, cap: 256))
    }

    @Test func duplicateEntries() {
        let b = ZipBuilder(members: [.stored("x.npy", Self.npy), .stored("x.npy", Self.npy)])
        #expect(zipError(b.build()) == .duplicateEntry("x.npy"))
    }

    @Test func overlappingEntries() {
        // "b.npy" has a valid local header, but it lies inside the bytes of "a.npy".
        let inner = ZipBuilder.local(.stored("b.npy", Self.npy))
        var b = ZipBuilder.Member.stored("b.npy", Self.npy)
        b.writeLocal = false
        b.localOffset = 30 + 5
        #expect(zipError(ZipBuilder(members: [.stored("a.npy", inner), b]).build()) == .overlappingEntries("a.npy", "b.npy"))
    }

    @Test func twoRecordsForOneLocalHeader() {
        var twin = ZipBuilder.Member.stored("x.npy", Self.npy)
        twin.localOffset = 0
        #expect(zipError(ZipBuilder(members: [.stored("x.npy", Self.npy), twin]).build()) == .duplicateEntry("x.npy"))
        var other = ZipBuilder.Member.stored("y.npy", Self.npy)
        other.localOffset = 0  // x.npy's local header, whose name differs
        #expect(zipError(ZipBuilder(members: [.stored("x.npy", Self.npy), other]).build())
                == .badLocalHeader(entry: "y.npy", reason: "name differs from the central directory"))
    }

    @Test func multiDisk() {
        var b = ZipBuilder(members: [.stored("x.npy", Self.npy)])
        b.disk = 1
        #expect(zipError(b.build()) == .multiDisk)
    }

    @Test func nonNpyMemberIsRefused() {
        let b = ZipBuilder(members: [.stored("x.npy", Self.npy), .stored("notes.txt", [0x68, 0x69])])
        #expect(npzError(b.build()) as? NpzError == .nonNpyMember("notes.txt"))
    }

    @Test func badNpyMemberNamesTheMember() {
        let object = NpyBadFileTests.craft("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", data: [0])
        #expect(npzError(ZipBuilder(members: [.stored("o.npy", object)]).build()) as? NpzError
                == .badMember(member: "o.npy", .objectArray(descr: "|O")))
        let deflated = ZipBuilder.Member.deflated("o.npy", stream: storedDeflate(object), data: object)
        #expect(npzError(ZipBuilder(members: [deflated]).build()) as? NpzError
                == .badMember(member: "o.npy", .objectArray(descr: "|O")))
    }

    @Test func npzMemberDataMustMatchItsHeader() {
        let short = NpyBadFileTests.craft("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", data: [1, 2, 3])
        #expect(npzError(ZipBuilder(members: [.stored("s.npy", short)]).build()) as? NpzError
                == .badMember(member: "s.npy", .truncatedData(expected: 4, actual: 3)))
    }
}
