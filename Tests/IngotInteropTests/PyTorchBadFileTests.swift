import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// Hand-made checkpoints that break one rule each: every one must fail with its specific error, wrapped in a
/// `FileError`, and never trap.
@Suite struct PyTorchBadFileTests {
    static let four: [UInt8] = f32Bytes([1, 2, 3, 4])
    static let plain = TorchTensorSpec(name: "w", key: "0", numel: 4, size: [2, 2], stride: [2, 1])

    func error<E: Error>(_: E.Type, _ bytes: [UInt8]) -> E? {
        thrown(E.self) { try openCheckpoint(bytes) }
    }

    @Test func aWellFormedHandMadeCheckpointReads() throws {
        let c = try openCheckpoint(checkpointZip(pickle: stateDictPickle([Self.plain]), storages: [("0", Self.four)]))
        #expect(c.descriptors.map(\.name) == ["w"])
        #expect(try c.load("w").withBytes { Array($0) } == Self.four)
    }

    @Test func errorsComeWrappedInFileError() {
        let bytes = checkpointZip(pickle: stateDictPickle([Self.plain]), storages: [])
        do {
            try openCheckpoint(bytes)
            Issue.record("opened")
        } catch {
            #expect(error is FileError)
            #expect("\(error)" == "test.pt: storage \"0\" is not in the archive (data/0)")
        }
    }

    @Test func osSystemInDataPklIsRefusedBeforeAnyCall() {
        let p = PickleBuilder()
        p.global("os", "system").string("touch /tmp/ingot-pwned").raw([0x85]).reduce().stop()
        #expect(error(PickleError.self, checkpointZip(pickle: p.bytes, storages: [])) == .disallowedGlobal("os.system"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/ingot-pwned"))
    }

    @Test func storageKeyMissingFromTheZip() {
        let bytes = checkpointZip(pickle: stateDictPickle([Self.plain]), storages: [("1", Self.four)])
        #expect(error(PyTorchError.self, bytes) == .missingStorage(key: "0"))
    }

    @Test func stridesReachingOutsideTheStorage() {
        var t = Self.plain
        t.stride = [3, 1]  // last element at 1*3 + 1 = 4, storage holds 0…3
        let bytes = checkpointZip(pickle: stateDictPickle([t]), storages: [("0", Self.four)])
        #expect(error(PyTorchError.self, bytes) == .viewOutOfBounds(tensor: "w", end: 5, storageElements: 4))
    }

    @Test func offsetReachingOutsideTheStorage() {
        var t = Self.plain
        t.offset = 1
        let bytes = checkpointZip(pickle: stateDictPickle([t]), storages: [("0", Self.four)])
        #expect(error(PyTorchError.self, bytes) == .viewOutOfBounds(tensor: "w", end: 5, storageElements: 4))
    }

    @Test func stridesWhoseExtentOverflows() {
        var t = Self.plain
        t.size = [3, 2]
        t.stride = [Int.max / 2 + 1, 1]
        let bytes = checkpointZip(pickle: stateDictPickle([t]), storages: [("0", Self.four)])
        #expect(error(PyTorchError.self, bytes) == .badView(tensor: "w", reason: "extent overflows"))
    }

    @Test func negativeStridesAndSizesAreRefused() {
        var t = Self.plain
        t.stride = [-2, 1]
        #expect(error(PyTorchError.self, checkpointZip(pickle: stateDictPickle([t]), storages: [("0", Self.four)])) ==
                .badView(tensor: "w", reason: "negative stride -2"))
        t = Self.plain
        t.size = [-2, 2]
        #expect(error(PyTorchError.self, checkpointZip(pickle: stateDictPickle([t]), storages: [("0", Self.four)])) ==
                .badView(tensor: "w", reason: "negative size -2"))
    }

    @Test func hugeStrideOfASizeOneDimensionIsHarmless() throws {
        // A size-1 dimension never moves the index, whatever its stride says (torch writes such strides).
        var t = Self.plain
        t.size = [1, 4]
        t.stride = [Int.max, 1]
        let c = try openCheckpoint(checkpointZip(pickle: stateDictPickle([t]), storages: [("0", Self.four)]))
        #expect(try c.load("w").withBytes { Array($0) } == Self.four)
    }

    @Test func aStrideZeroViewCannotAskForTerabytes() {
        // One float expanded to 2^20 × 2^20: in bounds (every index is 0), but 4 TiB to copy.
        let t = TorchTensorSpec(name: "w", key: "0", numel: 1, size: [1 << 20, 1 << 20], stride: [0, 0])
        let bytes = checkpointZip(pickle: stateDictPickle([t]), storages: [("0", f32Bytes([1]))])
        #expect(error(PyTorchError.self, bytes) ==
                .viewTooLarge(tensor: "w", bytes: 1 << 42, storageBytes: 4, cap: PyTorchCheckpoint.maxExpandedBytes))
    }

    @Test func smallExpandedViewsAreCopied() throws {
        let t = TorchTensorSpec(name: "w", key: "0", numel: 2, size: [3, 2], stride: [0, 1])
        let c = try openCheckpoint(checkpointZip(pickle: stateDictPickle([t]), storages: [("0", f32Bytes([1, 2]))]))
        #expect(try c.load("w").withBytes { Array($0) } == f32Bytes([1, 2, 1, 2, 1, 2]))
    }

    @Test func anEmptyViewReadsNothingWhateverItsOffset() throws {
        let t = TorchTensorSpec(name: "w", key: "0", numel: 4, offset: 200, size: [0, 3], stride: [3, 1])
        let c = try openCheckpoint(checkpointZip(pickle: stateDictPickle([t]), storages: [("0", Self.four)]))
        #expect(try c.load("w").count == 0)
    }

    @Test func zip64RecordsAreRead() throws {
        // Large checkpoints carry ZIP64 sizes and end records; the same fields on a small file read the same.
        var members = [ZipBuilder.Member.stored("archive/data.pkl", stateDictPickle([Self.plain])),
                       ZipBuilder.Member.stored("archive/data/0", Self.four)]
        for i in members.indices { members[i].zip64Size = true }
        let bytes = ZipBuilder(members: members, zip64End: true).build()
        #expect(try openCheckpoint(bytes).load("w").withBytes { Array($0) } == Self.four)
    }

    @Test func numelDisagreeingWithTheStorageRecord() {
        var t = Self.plain
        t.numel = 5
        let bytes = checkpointZip(pickle: stateDictPickle([t]), storages: [("0", Self.four)])
        #expect(error(PyTorchError.self, bytes) == .storageSizeMismatch(key: "0", declared: 20, actual: 16))
    }

    @Test func numelWhoseByteSizeOverflows() {
        var t = Self.plain
        t.numel = Int.max / 2
        let bytes = checkpointZip(pickle: stateDictPickle([t]), storages: [("0", Self.four)])
        #expect(error(PyTorchError.self, bytes) == .storageSizeMismatch(key: "0", declared: Int.max, actual: 16))
    }

    @Test func bigEndianCheckpointsAreRefused() {
        let bytes = checkpointZip(pickle: stateDictPickle([Self.plain]), storages: [("0", Self.four)], byteorder: "big")
        #expect(error(PyTorchError.self, bytes) == .bigEndian)
        let odd = checkpointZip(pickle: stateDictPickle([Self.plain]), storages: [("0", Self.four)], byteorder: "middle")
        #expect(error(PyTorchError.self, odd) == .badByteOrder("middle"))
    }

    @Test func missingByteorderMeansLittleEndian() throws {
        let bytes = checkpointZip(pickle: stateDictPickle([Self.plain]), storages: [("0", Self.four)], byteorder: nil)
        #expect(try openCheckpoint(bytes).descriptors.count == 1)
    }

    @Test func unsupportedDTypesAreNamed() {
        var t = Self.plain
        t.type = "ComplexFloatStorage"
        let bytes = checkpointZip(pickle: stateDictPickle([t]), storages: [("0", Self.four + Self.four)])
        #expect(error(PyTorchError.self, bytes) == .unsupportedDType(tensor: "w", dtype: "complex64"))
    }

    @Test func negViewMetadataWrittenByTorchIsRefused() {
        let e = thrown(PickleError.self) { _ = try PyTorchCheckpoint(path: TorchFixtures.path("neg_view.pt")) }
        #expect(e == .badArguments(callable: "torch._utils._rebuild_tensor_v2", reason: "tensor metadata \"neg\" is not supported"))
        #expect(TorchFixtures.file("neg_view.pt")["must_refuse"] == .bool(true))
    }

    @Test func aPickleRootThatIsNotADictIsRefused() {
        let p = PickleBuilder()
        p.emptyList().stop()
        #expect(error(PyTorchError.self, checkpointZip(pickle: p.bytes, storages: [])) == .notAStateDict(found: "list"))
    }

    @Test func twoTensorsFlatteningToOneNameAreRefused() {
        // {"a.b": t, "a": {"b": t}}
        let p = PickleBuilder()
        p.emptyDict().mark().string("a.b").tensor("FloatStorage", key: "0", numel: 4, size: [4], stride: [1]).put(9)
        p.string("a").emptyDict().string("b").get(9).setItem().setItems().stop()
        #expect(error(PyTorchError.self, checkpointZip(pickle: p.bytes, storages: [("0", Self.four)])) == .duplicateName("a.b"))
    }

    @Test func aDictHoldingItselfIsRefused() {
        let p = PickleBuilder()
        p.emptyDict().put(0).string("self").get(0).setItem().stop()
        #expect(error(PyTorchError.self, checkpointZip(pickle: p.bytes, storages: [])) ==
                .nestingTooDeep(cap: PickleLimits().maxDepth))
    }

    @Test func sharedContainersCannotBlowUpTheWalk() {
        // d0 = {"t": tensor}; d(k+1) = {"a": dk, "b": dk}: 2^40 paths from 40 small dicts.
        let p = PickleBuilder()
        p.emptyDict().string("t").tensor("FloatStorage", key: "0", numel: 4, size: [4], stride: [1]).setItem().put(0)
        for k in 1...40 {
            p.op(0x30).emptyDict().mark().string("a").get(UInt8(k - 1)).string("b").get(UInt8(k - 1)).setItems().put(UInt8(k))
        }
        p.stop()
        let bytes = checkpointZip(pickle: p.bytes, storages: [("0", Self.four)])
        let limits = PickleLimits(maxObjects: 10_000)
        #expect(thrown(PyTorchError.self) { try openCheckpoint(bytes, limits: limits) } == .tooManyEntries(cap: 10_000))
    }

    @Test func keysThatAreNeitherStrNorIntAreRefused() {
        let p = PickleBuilder()
        p.emptyDict().ints([1, 2]).emptyDict().setItem().stop()
        #expect(error(PyTorchError.self, checkpointZip(pickle: p.bytes, storages: [])) == .badKey(path: "", type: "tuple"))
    }

    @Test func aRank100SizeTupleIsReportedAsRank100() {
        let hundred = TorchTensorSpec(name: "w", key: "0", numel: 4, size: [Int](repeating: 1, count: 100),
                                      stride: [Int](repeating: 1, count: 100))
        let bytes = checkpointZip(pickle: stateDictPickle([hundred]), storages: [("0", Self.four)])
        #expect(error(IngotError.self, bytes) == .badShape(tensor: "w", reason: "rank 100 exceeds the maximum of 8"))
    }

    /// torch.load accepts `{5: t}`, but no module can load it and 5 is not a name: refused, not a tensor "5".
    @Test func anIntKeyHoldingATensorOrAtTheTopIsRefused() throws {
        func dict(_ build: (PickleBuilder) -> Void) -> [UInt8] {
            let p = PickleBuilder()
            build(p)
            return checkpointZip(pickle: p.stop().bytes, storages: [("0", Self.four)])
        }
        func tensor(_ p: PickleBuilder) { p.tensor("FloatStorage", key: "0", numel: 4, size: [4], stride: [1]) }
        #expect(error(PyTorchError.self, dict { p in p.emptyDict().int(5); tensor(p); p.setItem() }) == .intKey(path: "", key: 5))
        let nested = dict { p in p.emptyDict().int(5).emptyDict().string("w"); tensor(p); p.setItem().setItem() }
        #expect(error(PyTorchError.self, nested) == .intKey(path: "", key: 5))
        let inner = dict { p in p.emptyDict().string("m").emptyDict().int(0); tensor(p); p.setItem().setItem() }
        #expect(error(PyTorchError.self, inner) == .intKey(path: "m", key: 0))
        #expect(PyTorchError.intKey(path: "", key: 5).description
            == "the state dict's key 5 is an int, not a str: a state dict is keyed by names")
        // Inside, an int key is a name component: torch.optim's per-parameter state.
        let optimizer = dict { p in
            p.emptyDict().string("state").emptyDict().int(0).emptyDict().string("exp_avg")
            tensor(p)
            p.setItem().setItem().setItem()
        }
        #expect(try openCheckpoint(optimizer).descriptors.map(\.name) == ["state.0.exp_avg"])
    }

    @Test func zipsWithoutDataPklOrWithStrayEntriesAreRefused() {
        let noPickle = ZipBuilder(members: [.stored("archive/data/0", Self.four)]).build()
        #expect(error(PyTorchError.self, noPickle) == .noDataPickle)
        let stray = checkpointZip(pickle: stateDictPickle([Self.plain]), storages: [("0", Self.four)],
                                  extra: [.stored("other/file", [1])])
        #expect(error(PyTorchError.self, stray) == .entryOutsideArchive(entry: "other/file", folder: "archive"))
        let two = checkpointZip(pickle: stateDictPickle([Self.plain]), storages: [("0", Self.four)],
                                extra: [.stored("b/data.pkl", [0x80, 2, 0x7D, 0x2E])])
        #expect(error(PyTorchError.self, two) == .ambiguousArchive("archive", "b"))
    }

    @Test func legacyMagicIsRecognisedWhateverTheProtocol() {
        let magic = PyTorchCheckpoint.legacyMagic
        #expect(error(PyTorchError.self, [0x80, 2] + magic + [0x2E]) == .legacyFormat)
        #expect(error(PyTorchError.self, [0x80, 4, 0x95] + le(UInt64(14)) + magic + [0x2E]) == .legacyFormat)
    }

    @Test func aDeflateBombStorageIsStoppedAtItsDeclaredSize() {
        // The record declares 16 bytes but its deflate stream holds 1 MiB of zeros.
        var bomb = ZipBuilder.Member.deflated("archive/data/0", stream: zerosMiBDeflate, data: Self.four)
        bomb.uncompressedSize = 16
        var members = [ZipBuilder.Member.stored("archive/data.pkl", stateDictPickle([Self.plain]))]
        members.append(bomb)
        let bytes = ZipBuilder(members: members).build()
        #expect(error(ZipError.self, bytes) == .inflatesPastDeclaredSize(entry: "archive/data/0", declared: 16))
    }

    @Test func aStorageWithABadCRCFailsEveryLoadOfEveryView() throws {
        // Two views of one storage whose CRC is wrong: opening reads no storage bytes, every load checks them.
        let p = stateDictPickle([Self.plain, TorchTensorSpec(name: "v", key: "0", numel: 4, offset: 2, size: [2], stride: [1])])
        var bad = ZipBuilder.Member.stored("archive/data/0", Self.four)
        bad.crc ^= 1
        let bytes = ZipBuilder(members: [.stored("archive/data.pkl", p), bad]).build()
        let mapped = bytes.withUnsafeBytes { MappedFile(copying: $0, path: "test.pt") }
        let c = try PyTorchCheckpoint(mapped: mapped)
        for name in ["w", "v", "w"] {
            let e = thrown(ZipError.self) { _ = try c.load(name) }
            #expect(e == .crcMismatch(entry: "archive/data/0", expected: bad.crc, actual: bad.crc ^ 1), "\(name)")
        }
    }

    @Test func viewsOfOneVerifiedStorageStillSliceTheMapping() throws {
        let p = stateDictPickle([Self.plain, TorchTensorSpec(name: "v", key: "0", numel: 4, offset: 2, size: [2], stride: [1])])
        let c = try openCheckpoint(checkpointZip(pickle: p, storages: [("0", Self.four)]))
        let w1 = try c.load("w"), v = try c.load("v"), w2 = try c.load("w")
        #expect(w1.bytes.baseAddress == w2.bytes.baseAddress)
        #expect(v.bytes.baseAddress == w1.bytes.baseAddress.map { $0 + 8 })
        #expect(v.withBytes { Array($0) } == Array(Self.four[8...]))
    }

    @Test func everyTruncationOfARealCheckpointFailsCleanly() {
        let bytes = readBytes(TorchFixtures.path("views.pt"))
        #expect(!bytes.isEmpty)
        for k in 0..<bytes.count {
            do {
                try openCheckpoint(Array(bytes.prefix(k)))
                Issue.record("prefix \(k) read as valid")
            } catch {
                #expect(error is FileError)
            }
        }
    }

    @Test(arguments: ["views.pt", "views_deflated.pt", "nested.pt", "pytorch_model.bin"])
    func randomCorruptionNeverTraps(_ fixture: String) {
        let bytes = readBytes(TorchFixtures.path(fixture))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<400 {
            var damaged = bytes
            for _ in 0..<(1 + next() % 4) { damaged[next() % damaged.count] = UInt8(truncatingIfNeeded: next()) }
            do { try openCheckpoint(damaged) } catch { #expect(error is FileError) }
        }
    }

    /// Corrupting only data.pkl (with its CRC fixed up) reaches the pickle machine instead of stopping at the CRC.
    @Test func randomPickleCorruptionInsideAValidZipNeverTraps() throws {
        let archive = try ZipArchive(file: MappedFile(path: TorchFixtures.path("pytorch_model.bin")))
        guard let pk = archive.entries.first(where: { $0.name.hasSuffix("data.pkl") }) else { Issue.record("no data.pkl"); return }
        let pickle = try archive.contents(of: pk).withBytes { Array($0) }
        let storages = try archive.entries.filter { $0.name.contains("/data/") }.map { e in
            (String(e.name.split(separator: "/").last ?? ""), try archive.contents(of: e).withBytes { Array($0) })
        }
        var state: UInt64 = 12345
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var opened = 0
        for _ in 0..<1000 {
            var damaged = pickle
            for _ in 0..<(1 + next() % 3) { damaged[next() % damaged.count] = UInt8(truncatingIfNeeded: next()) }
            do {
                try openCheckpoint(checkpointZip(pickle: damaged, storages: storages, folder: "pytorch_model"))
                opened += 1
            } catch { #expect(error is FileError) }
        }
        #expect(opened < 1000)
    }
}
