import IngotFormat
import Testing

@testable import IngotInterop

/// Inflate bombs: a small zip whose deflated member claims gigabytes. The claim is checked against what the machine
/// can hold (`MemoryBudget`, via `ZipLimits.maxInflatedBytes`) before anything is allocated, and an inflater never
/// writes past the claim. Caps are lowered in the tests so the hostile inputs stay a few KB.
@Suite struct InflateBudgetTests {
    /// 4 GiB, the size a 4 MB deflate of zeros inflates to (what the attack campaign's `.bin` declared).
    static let fourGiB = 4 << 30

    /// A deflated member that declares `size` bytes (through a ZIP64 field when it needs one) but holds a 1 KB stream.
    static func bomb(_ name: String, size: Int, stream: [UInt8] = zerosMiBDeflate) -> ZipBuilder.Member {
        var m = ZipBuilder.Member(name: name, payload: stream, method: 8, crc: 0, uncompressedSize: UInt64(size))
        m.zip64Size = size >= 0xFFFF_FFFF
        return m
    }

    @Test func theBudgetIsHalfTheMemoryAndTheDefaultCap() {
        #expect(MemoryBudget.budget(of: 16 << 30) == 8 << 30)
        #expect(MemoryBudget.budget(of: 0) == 64 << 20, "a machine reporting no memory still gets a usable cap")
        #expect(MemoryBudget.bytes >= 64 << 20)
        #expect(MemoryBudget.bytes <= MemoryBudget.budget(of: MemoryBudget.usableMemory()))
        #expect(ZipLimits().maxInflatedBytes == MemoryBudget.bytes)
    }

    @Test func aMemberClaimingMoreThanTheMachineHoldsIsRefusedBeforeInflating() throws {
        let dir = TempDir()
        let p = dir.write(ZipBuilder(members: [Self.bomb("zeros.bin", size: Self.fourGiB)]).build(), name: "b.zip")
        let zip = try ZipArchive(file: MappedFile(path: p), limits: ZipLimits(maxInflatedBytes: 1 << 20))
        let e = try #require(zip.entries.first)
        #expect(thrown(ZipError.self) { _ = try zip.contents(of: e) }
            == .wouldNotFit(entry: "zeros.bin", size: Self.fourGiB, cap: 1 << 20))
        #expect(ZipError.wouldNotFit(entry: "zeros.bin", size: Self.fourGiB, cap: 1 << 20).description
            == "entry \"zeros.bin\" would inflate to 4294967296 bytes, more than this machine can hold (the cap is 1048576 bytes, half its memory)")
    }

    @Test func theDefaultCapIsTheMachinesBudget() throws {
        // One byte more than the budget, with the static size cap lifted: refused by the memory check alone.
        let size = MemoryBudget.bytes + 1
        let dir = TempDir()
        let p = dir.write(ZipBuilder(members: [Self.bomb("zeros.bin", size: size)]).build(), name: "b.zip")
        let zip = try ZipArchive(file: MappedFile(path: p), limits: ZipLimits(maxEntryBytes: .max))
        let e = try #require(zip.entries.first)
        #expect(thrown(ZipError.self) { _ = try zip.contents(of: e) }
            == .wouldNotFit(entry: "zeros.bin", size: size, cap: MemoryBudget.bytes))
    }

    @Test func aPyTorchStorageBombFailsItsLoadNamingTheFile() throws {
        // data.pkl describes a 2^30-float storage; its record is 1 KB of deflate that claims 4 GiB.
        let spec = TorchTensorSpec(name: "w", key: "0", numel: 1 << 30, size: [1 << 30], stride: [1])
        let members = [ZipBuilder.Member.stored("archive/data.pkl", stateDictPickle([spec])),
                       Self.bomb("archive/data/0", size: Self.fourGiB)]
        let bytes = ZipBuilder(members: members).build()
        let mapped = bytes.withUnsafeBytes { MappedFile(copying: $0, path: "bomb.bin") }
        let c = try PyTorchCheckpoint(mapped: mapped, limits: ZipLimits(maxInflatedBytes: 1 << 20))
        #expect(c.descriptors.map(\.layout.byteCount) == [Self.fourGiB], "opening reads no storage bytes")
        do {
            _ = try c.load("w")
            Issue.record("loaded")
        } catch let e as FileError {
            #expect(e.path == "bomb.bin")
            #expect(e.underlying as? ZipError == .wouldNotFit(entry: "archive/data/0", size: Self.fourGiB, cap: 1 << 20))
        }
    }

    @Test func anNpzMemberBombFailsItsLoad() throws {
        // A header for 4 GiB of u1 (consistent with the declared size, so the archive opens), then nothing.
        let header = NpyBadFileTests.craft("{'descr': '|u1', 'fortran_order': False, 'shape': (\(Self.fourGiB - 128),), }")
        #expect(header.count == 128)
        let bytes = ZipBuilder(members: [Self.bomb("x.npy", size: Self.fourGiB, stream: storedDeflate(header))]).build()
        let dir = TempDir()
        let npz = try NpzFile(path: dir.write(bytes, name: "b.npz"), limits: ZipLimits(maxInflatedBytes: 1 << 20))
        #expect(npz.descriptors.map(\.layout.byteCount) == [Self.fourGiB - 128])
        #expect(thrown(ZipError.self) { _ = try npz.load("x") } == .wouldNotFit(entry: "x.npy", size: Self.fourGiB, cap: 1 << 20))
    }

    @Test func aCopyLargerThanTheBudgetIsRefusedNamingTheTensor() {
        #expect(thrown(MemoryBudget.Exceeded.self) { try MemoryBudget.check(200, for: "tensor \"w\"", cap: 100) }
            == MemoryBudget.Exceeded(what: "tensor \"w\"", count: 200, cap: 100))
        #expect(throws: Never.self) { try MemoryBudget.check(100, for: "tensor \"w\"", cap: 100) }
    }
}
