import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// The checkpoint reader against files written by real `torch.save` (fixtures/pytorch/, see generate_pytorch.py):
/// every tensor must equal what `torch.load(weights_only=True)` read back, bit for bit.
@Suite struct PyTorchFixtureTests {
    static let readable = ["dtypes.pt", "views.pt", "views_deflated.pt", "nested.pt", "pytorch_model.bin"]

    @Test(arguments: readable)
    func tensorsMatchWhatTorchReads(_ fixture: String) throws {
        let c = try PyTorchCheckpoint(path: TorchFixtures.path(fixture))
        #expect(c.formatName == "pytorch")
        try expectMatchesTorch(c, fixture)
    }

    @Test func everyDTypeIsRead() throws {
        let c = try PyTorchCheckpoint(path: TorchFixtures.path("dtypes.pt"))
        let dtypes = Set(c.descriptors.map(\.layout.dtype))
        #expect(dtypes == [.f32, .f16, .bf16, .f64, .i64, .i32, .i16, .i8, .u8, .bool])
        #expect(c.descriptors.first { $0.name == "scalar_f32" }?.layout.shape == [])
        #expect(c.descriptors.first { $0.name == "empty_f32" }?.layout.shape == [3, 0, 2])
    }

    @Test func tensorsKeepThePickleOrder() throws {
        let c = try PyTorchCheckpoint(path: TorchFixtures.path("pytorch_model.bin"))
        // Module.state_dict: the root's own buffers first, then each child's parameters in registration order.
        #expect(c.descriptors.map(\.name) == ["position_ids", "embed.weight", "norm.weight", "norm.bias", "proj.weight",
                                             "proj.bias", "head.weight"])
        #expect(c.folder == "pytorch_model")
    }

    @Test func tiedWeightsShareOneStorageZeroCopy() throws {
        let c = try PyTorchCheckpoint(path: TorchFixtures.path("pytorch_model.bin"))
        let embed = try c.load("embed.weight"), head = try c.load("head.weight")
        #expect(embed.bytes.baseAddress == head.bytes.baseAddress)
        #expect(ObjectIdentifier(embed.owner) == ObjectIdentifier(c.archive.file))
        let v = try PyTorchCheckpoint(path: TorchFixtures.path("views.pt"))
        let a = try v.load("tied.a"), b = try v.load("tied.b"), same = try v.load("same_object")
        #expect(a.bytes.baseAddress == b.bytes.baseAddress && a.bytes.baseAddress == same.bytes.baseAddress)
    }

    @Test func offsetViewsAreSlicesOfTheirStorage() throws {
        let c = try PyTorchCheckpoint(path: TorchFixtures.path("views.pt"))
        let whole = try c.load("tied.a"), rows = try c.load("offset_rows"), flat = try c.load("offset_flat")
        #expect(rows.bytes.baseAddress == whole.bytes.baseAddress.map { $0 + 2 * 10 * 4 })
        #expect(flat.bytes.baseAddress == whole.bytes.baseAddress.map { $0 + 7 * 4 })
        #expect(ObjectIdentifier(rows.owner) == ObjectIdentifier(c.archive.file))
    }

    @Test func nonContiguousViewsAreCopiedInCOrder() throws {
        let c = try PyTorchCheckpoint(path: TorchFixtures.path("views.pt"))
        // w = arange(60).reshape(6, 10) * 0.25 - 3; transposed[i][j] = w[j][i].
        let t = try c.load("transposed").withBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(t.count == 60)
        for i in 0..<10 { for j in 0..<6 { #expect(t[i * 6 + j] == Float(j * 10 + i) * 0.25 - 3) } }
        #expect(try c.load("transposed").owner is OwnedBytes)
        let e = try c.load("expanded").withBytes { Array($0.bindMemory(to: Double.self)) }
        #expect(e == [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3])
        let s = try c.load("scalar_view").withBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(s == [Float(37) * 0.25 - 3])
    }

    @Test func deflatedRecordsGiveTheSameTensors() throws {
        let a = try PyTorchCheckpoint(path: TorchFixtures.path("views.pt"))
        let b = try PyTorchCheckpoint(path: TorchFixtures.path("views_deflated.pt"))
        #expect(b.archive.entries.allSatisfy { $0.method == .deflated })
        #expect(a.descriptors == b.descriptors)
        for d in a.descriptors {
            #expect(try a.load(d.name).withBytes { Array($0) } == b.load(d.name).withBytes { Array($0) }, "\(d.name)")
        }
    }

    @Test func nestedDictsFlattenAndScalarsBecomeMetadata() throws {
        let c = try PyTorchCheckpoint(path: TorchFixtures.path("nested.pt"))
        #expect(c.descriptors.map(\.name) == ["model.encoder.weight", "model.encoder.bias", "model.head",
                                             "optimizer.state.0.step", "optimizer.state.0.exp_avg"])
        let expected = TorchFixtures.file("nested.pt")["metadata"]?.objectValue ?? JSONObject()
        #expect(!expected.isEmpty)
        #expect(c.metadata.count == expected.count)
        for (k, v) in expected {
            // expected.json is written by Python's json, so 0.125 and 3 keep their types.
            #expect(c.metadata[k] == v, "metadata \(k)")
        }
        #expect(c.metadata["note"] == nil)  // None is skipped
    }

    @Test func moduleStateDictMetadataAttributeIsSkipped() throws {
        let c = try PyTorchCheckpoint(path: TorchFixtures.path("pytorch_model.bin"))
        #expect(c.metadata.isEmpty)
    }

    @Test func legacyFormatIsRefused() {
        let e = thrown(PyTorchError.self) { _ = try PyTorchCheckpoint(path: TorchFixtures.path("legacy.pt")) }
        #expect(e == .legacyFormat)
        #expect(TorchFixtures.file("legacy.pt")["must_refuse"] == .bool(true))
    }

    @Test func recognizesCheckpointsButNotOtherZips() throws {
        for name in Self.readable + ["legacy.pt"] {
            let f = try MappedFile(path: TorchFixtures.path(name))
            #expect(PyTorchCheckpoint.recognizes(f.bytes, path: name), "\(name)")
            // Without the extension, the first entry's name (…/data.pkl) still tells.
            #expect(PyTorchCheckpoint.recognizes(f.bytes, path: "blob"), "\(name)")
        }
        let npz = try MappedFile(path: Fixtures.path("arrays.npz"))
        #expect(!PyTorchCheckpoint.recognizes(npz.bytes, path: "arrays.npz"))
        let st = try MappedFile(path: Fixtures.path("dtypes.safetensors"))
        #expect(!PyTorchCheckpoint.recognizes(st.bytes, path: "x.bin"))
    }

    @Test func roundTripThroughIngotKeepsEveryByte() throws {
        let tmp = TempDir()
        for fixture in Self.readable {
            let src = try PyTorchCheckpoint(path: TorchFixtures.path(fixture))
            let out = tmp.file(fixture + ".ingot")
            try IngotWriter(path: out, metadata: src.metadata).write(src)
            let back = try IngotFile(path: out)
            #expect(back.descriptors == src.descriptors, "\(fixture)")
            #expect(back.metadata == src.metadata, "\(fixture)")
            for d in src.descriptors {
                #expect(try back.load(d.name).withBytes { Array($0) } == src.load(d.name).withBytes { Array($0) },
                        "\(fixture): \(d.name)")
            }
        }
    }
}
