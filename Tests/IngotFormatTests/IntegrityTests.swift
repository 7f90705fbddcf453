import Foundation
import Testing
@testable import IngotFormat

/// Every whole-tensor read proves the tensor's XXH3: corrupt data never reaches a consumer (a forward pass, a diff,
/// a conversion that would write fresh checksums over it).
@Suite struct IntegrityTests {
    /// A file with tensors "a" (raw) and "b" (compressed), and the file offset of one byte inside each.
    func corruptible(_ dir: TempDir) throws -> (path: String, rawByte: Int, chunkByte: Int) {
        let raw = dir.file("raw.ingot"), packed = dir.file("packed.ingot")
        _ = try writeContainer([("a", weights(4096))], in: dir)
        try FileManager.default.moveItem(atPath: dir.file("t.ingot"), toPath: raw)
        _ = try writeContainer([("b", weights(300_000))], compression: CompressionOptions(chunkBytes: 1 << 16), in: dir)
        try FileManager.default.moveItem(atPath: dir.file("t.ingot"), toPath: packed)
        let fr = try IngotFile(path: raw), fp = try IngotFile(path: packed)
        return (dir.path, fr.dataOffset + fr.tensors[0].offset + 100, fp.dataOffset + fp.tensors[0].offset + fp.tensors[0].length - 50)
    }

    func flip(_ path: String, at offset: Int) {
        var b = readBytes(path)
        b[offset] ^= 0x10
        writeBytes(b, to: path)
    }

    @Test func aFlippedByteInARawTensorFailsTheLoadNamingIt() throws {
        let dir = TempDir()
        let c = try corruptible(dir)
        flip(dir.file("raw.ingot"), at: c.rawByte)
        let f = try IngotFile(path: dir.file("raw.ingot"))
        #expect(throws: FileError.self) { _ = try f.load("a") }
        do { _ = try f.load("a") } catch {
            guard case .tensorChecksumMismatch(tensor: "a", _, _)? = ingotError(error) else { Issue.record("\(error)"); return }
        }
    }

    @Test func aFlippedByteInACompressedTensorFailsTheLoad() throws {
        let dir = TempDir()
        let c = try corruptible(dir)
        flip(dir.file("packed.ingot"), at: c.chunkByte)
        let f = try IngotFile(path: dir.file("packed.ingot"))
        #expect(throws: FileError.self) { _ = try f.load("b") }
    }

    @Test func aSoundTensorLoadsAgainAfterItsFirstProof() throws {
        let dir = TempDir()
        _ = try corruptible(dir)
        let f = try IngotFile(path: dir.file("raw.ingot"))
        let first = try f.load("a").withBytes { Array($0) }
        #expect(try f.load("a").withBytes { Array($0) } == first)
    }

    /// A row read is a part of a tensor and has no checksum: it reads what is stored (and a whole read after it
    /// still fails).
    @Test func partialReadsDoNotClaimVerification() throws {
        let dir = TempDir()
        let c = try corruptible(dir)
        flip(dir.file("raw.ingot"), at: c.rawByte)
        let f = try IngotFile(path: dir.file("raw.ingot"))
        let t = try #require(f.entry("a"))
        #expect(try f.loadBytes(t, range: 0..<16).count == 16)
        #expect(throws: FileError.self) { _ = try f.load("a") }
    }

    @Test func fifosAreRefusedWithoutBlocking() throws {
        let dir = TempDir()
        let p = dir.file("fifo")
        #expect(mkfifo(p, 0o600) == 0)
        #expect(throws: IngotError.io("is a FIFO, not a regular file")) { _ = try MappedFile(path: p) }
        #expect(throws: IngotError.io("is a directory, not a file")) { _ = try MappedFile(path: dir.path) }
    }
}

@Suite struct FileErrorTests {
    @Test func aPathWithANewlineStaysOneLine() {
        let e = FileError(path: "/tmp/a\nb.ingot", IngotError.badMagic)
        #expect(!e.description.contains("\n"))
        #expect(e.description.hasPrefix("/tmp/a\\u{a}b.ingot: "))
    }

    @Test func anErrorIsTaggedWithItsPathOnce() {
        let inner = FileError(path: "m.ingot", IngotError.badMagic)
        #expect(FileError(path: "m.ingot", inner).description == inner.description)
    }
}

/// The SIGBUS guard knows every live mapping: a fault (or an EFAULT from a write whose source pages vanished) inside
/// one is reported naming its file. (The truncation race itself is exercised by scripts/hostile_campaign.py.)
@Suite struct MappingGuardTests {
    @Test func aMappedAddressNamesItsFileUntilUnmapped() throws {
        let dir = TempDir()
        let p = dir.file("m.bin")
        writeBytes([UInt8](repeating: 7, count: 8192), to: p)
        var address: UnsafeRawPointer? = nil
        do {
            let f = try MappedFile(path: p)
            address = f.bytes.baseAddress.map { UnsafeRawPointer($0 + 100) }
            #expect(AtomicFile.mappedPath(containing: address) == p)
        }
        #expect(AtomicFile.mappedPath(containing: address) == nil)
    }
}
