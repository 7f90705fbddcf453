import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// Replays the committed PyTorch fuzz corpus (FuzzTesting/Corpus/pytorch/) the way FuzzPyTorch runs it: a zip
/// opens as it is, a bare pickle (first byte 0x80) is wrapped as `archive/data.pkl` next to eight 64-byte
/// storages. Every input opens and loads, or fails with a `FileError`.
@Suite struct PyTorchCorpusReplayTests {
    static let dir = Fixtures.dir + "/../FuzzTesting/Corpus/pytorch"

    /// What FuzzPyTorch feeds the reader for one corpus input.
    static func harnessBytes(_ input: [UInt8]) -> [UInt8] {
        guard input.first == 0x80 else { return input }
        let storages = (0..<8).map { k in (String(k), (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ k) }) }
        return checkpointZip(pickle: input, storages: storages)
    }

    @Test func corpusReplaysWithoutCrashing() {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: Self.dir)) ?? []).sorted()
        #expect(files.count >= 10, "no corpus in \(Self.dir)")
        var opened: [String] = []
        for f in files {
            let bytes = Self.harnessBytes(readBytes(Self.dir + "/" + f))
            let mapped = bytes.withUnsafeBytes { MappedFile(copying: $0, path: f) }
            do {
                let c = try PyTorchCheckpoint(mapped: mapped)
                for d in c.descriptors { _ = try? c.load(d.name) }
                opened.append(f)
            } catch {
                #expect(error is FileError, "\(f): \(error)")
            }
        }
        // The checkpoints torch.save wrote and the hand-made valid seeds must open.
        for f in ["dtypes.pt", "views.pt", "nested.pt", "pytorch_model.bin", "transposed_offset.pt", "hand_views.pkl",
                  "hand_ordered.pkl"] {
            #expect(opened.contains(f), "\(f) does not open")
        }
    }

    @Test func handMadePickleSeedsHaveTheViewsTheyDescribe() throws {
        let bytes = Self.harnessBytes(readBytes(Self.dir + "/hand_views.pkl"))
        let c = try openCheckpoint(bytes)
        #expect(c.descriptors.map(\.name) == ["t", "d", "c", "e"])
        #expect(c.descriptors.map(\.layout.shape) == [[4, 4], [3], [4, 4, 4], [3, 8]])
        let ordered = try openCheckpoint(Self.harnessBytes(readBytes(Self.dir + "/hand_ordered.pkl")))
        #expect(ordered.descriptors.map(\.name) == ["a", "b.0"])
        #expect(ordered.metadata["b.n"] == .int(7))
        // The same pickle with the int key 0 holding b's tensor: refused, not a tensor named "b.0".
        #expect(thrown(PyTorchError.self) { try openCheckpoint(Self.harnessBytes(readBytes(Self.dir + "/int_key_tensor.pkl"))) }
            == .intKey(path: "b", key: 0))
    }
}
