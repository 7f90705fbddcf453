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
