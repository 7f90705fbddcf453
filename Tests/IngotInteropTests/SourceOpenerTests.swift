import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// Format detection: magic bytes first, then the extension, then safetensors' shape; errors carry the path.
@Suite struct SourceOpenerTests {
    @Test(arguments: [
        ("dtypes.safetensors", "safetensors"), ("tiny-llama/model.safetensors", "safetensors"),
        ("npy/c_order_f32.npy", "npy"), ("arrays.npz", "npz"), ("arrays_compressed.npz", "npz"),
    ])
    func fixturesOpenWithTheRightReader(_ fixture: String, _ format: String) throws {
        let s = try openTensorSource(path: Fixtures.path(fixture))
        #expect(s.formatName == format)
        #expect(s.path == Fixtures.path(fixture))
    }

    @Test func ingotFilesOpenAsIngotFile() throws {
        let dir = TempDir()
        let p = dir.file("m.bin")  // no extension needed: the magic decides
        let w = try IngotWriter(path: p)
        try [Float(1), 2].withUnsafeBytes { try w.append(TensorDescriptor(name: "a", layout: TensorLayout(name: "a", dtype: .f32, shape: [2], groupSize: nil)), bytes: $0) }
        try w.finish()
        let isIngot = try openTensorSource(path: p) is IngotFile
        #expect(isIngot)
    }

    @Test func magicWinsOverTheExtension() throws {
        let dir = TempDir()
        let p = dir.write(readBytes(Fixtures.path("arrays.npz")), name: "misnamed.safetensors")
        #expect(try openTensorSource(path: p).formatName == "npz")
    }

    @Test func extensionlessSafetensorsIsRecognisedByItsShape() throws {
        let dir = TempDir()
        let p = dir.write(readBytes(Fixtures.path("dtypes.safetensors")), name: "3f1c9a0b")  // a model-cache blob name
        #expect(try openTensorSource(path: p).formatName == "safetensors")
    }

    @Test func npyWithBrokenMagicReportsTheNpyRule() throws {
        let dir = TempDir()
        let p = dir.write(Array("not numpy at all".utf8), name: "x.npy")
        #expect(thrown(NpyError.self) { _ = try openTensorSource(path: p) } == .badMagic)
    }

    @Test func unrecognisedFormat() throws {
        let dir = TempDir()
        let p = dir.write(Array("hello, world".utf8), name: "notes.txt")
        do {
            _ = try openTensorSource(path: p)
            Issue.record("expected an error")
        } catch let e as FileError {
            #expect(e.path == p)
            #expect(e.underlying as? SourceOpenError == .unrecognisedFormat)
            #expect("\(e)" == "\(p): unrecognised format (expected Ingot, safetensors, GGUF, PyTorch, .npy or .npz)")
        }
    }

    /// The attack campaign's file: an empty zip named `.bin` was opened as an npz and reported as "0 tensors".
    @Test(arguments: ["empty.bin", "empty.pt", "empty.pth", "empty.ckpt", "EMPTY.BIN"])
    func anEmptyZipNamedAsACheckpointIsAPyTorchError(_ name: String) throws {
        let dir = TempDir()
        let p = dir.write(ZipBuilder(members: []).build(), name: name)
        #expect(thrown(PyTorchError.self) { _ = try openTensorSource(path: p) } == .noDataPickle)
        #expect(thrown(PyTorchError.self) { _ = try openModelSource(path: p) } == .noDataPickle)
    }

    @Test func aZipOfArraysNamedBinIsNotAPyTorchCheckpoint() throws {
        let dir = TempDir()
        let p = dir.write(readBytes(Fixtures.path("arrays.npz")), name: "pytorch_model.bin")
        do {
            _ = try openTensorSource(path: p)
            Issue.record("opened")
        } catch let e as FileError {
            #expect("\(e)" == "\(p): not a PyTorch checkpoint: no <folder>/data.pkl in the zip")
        }
    }

    /// Valid files that hold nothing: readable, but not models. GGUF (vocab-only files) and Ingot may be tensorless.
    @Test func emptyFilesAreReadableButAreNotModels() throws {
        let dir = TempDir()
        let empty: [(String, [UInt8], String)] = [
            ("e.npz", ZipBuilder(members: []).build(), "npz"),
            ("e.safetensors", le(UInt64(8)) + Array("{}      ".utf8), "safetensors"),
            ("e.pt", checkpointZip(pickle: PickleBuilder().emptyDict().stop().bytes, storages: []), "pytorch"),
        ]
        for (name, bytes, format) in empty {
            let p = dir.write(bytes, name: name)
            #expect(try openTensorSource(path: p).descriptors.isEmpty, "\(name) is a valid file")
            #expect(thrown(SourceOpenError.self) { _ = try openModelSource(path: p) } == .noTensors(format: format), "\(name)")
        }
        #expect(SourceOpenError.noTensors(format: "npz").description == "no tensors: an empty npz archive is not a model")
        // A directory whose only shard is empty.
        try FileManager.default.createDirectory(atPath: dir.file("m"), withIntermediateDirectories: true)
        _ = dir.write(empty[1].1, name: "m/model.safetensors")
        #expect(thrown(SourceOpenError.self) { _ = try openModelSource(path: dir.file("m")) } == .noTensors(format: "hf-directory"))
        // A vocab-only GGUF (llama.cpp ships such files) is a model without weights.
        try writeGGUF(dir.file("vocab.gguf"), llamaPairs(), [])
        #expect(try openModelSource(path: dir.file("vocab.gguf")).descriptors.isEmpty)
    }

    @Test func missingFileNamesThePath() {
        do {
            _ = try openTensorSource(path: "/nonexistent/model.safetensors")
            Issue.record("expected an error")
        } catch let e as FileError {
            #expect(e.path == "/nonexistent/model.safetensors")
        } catch {
            Issue.record("expected a FileError, got \(error)")
        }
    }

    @Test func everyReaderWrapsItsErrorsWithThePath() throws {
        let dir = TempDir()
        for (name, bytes) in [("a.safetensors", [UInt8](repeating: 0, count: 4)), ("b.npy", [0x93, 0x4E]),
                              ("c.npz", Array("PK\u{3}\u{4}".utf8))] {
            let p = dir.write(bytes, name: name)
            do {
                _ = try openTensorSource(path: p)
                Issue.record("expected an error for \(name)")
            } catch let e as FileError {
                #expect(e.path == p)
                #expect(!"\(e)".contains("\n"))
            }
        }
    }
}
