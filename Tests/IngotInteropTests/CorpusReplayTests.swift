import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// Replays the committed fuzz corpus (FuzzTesting/Corpus/<format>/) through the same code the fuzz targets run:
/// every input must open and load, or fail with a `FileError` — an input that once crashed a reader stays a test.
@Suite struct CorpusReplayTests {
    static let corpus: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/FuzzTesting/Corpus"
    }()

    func inputs(_ format: String) -> [String] {
        let dir = Self.corpus + "/" + format
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { dir + "/" + $0 }
    }

    /// Opens `bytes` with `open`, loads every tensor; returns whether it opened. Errors must be FileErrors.
    func replay(_ path: String, _ open: (MappedFile) throws -> any TensorSource) -> Bool {
        let bytes = readBytes(path)
        let mapped = bytes.withUnsafeBytes { MappedFile(copying: $0, path: path) }
        do {
            let s = try open(mapped)
            for d in s.descriptors { _ = try? s.load(d.name) }
            return true
        } catch {
            #expect(error is FileError, "\(path): \(error)")
            return false
        }
    }

    @Test(arguments: ["ingot", "safetensors", "npy", "npz", "gguf"])
    func corpusReplaysWithoutCrashing(format: String) {
        let files = inputs(format)
        #expect(!files.isEmpty, "no corpus for \(format)")
        var opened = 0
        for f in files {
            let ok = replay(f) { m in
                switch format {
                case "ingot": try IngotFile(mapped: m)
                case "safetensors": try SafetensorsFile(mapped: m)
                case "npy": try NpyFile(mapped: m)
                case "gguf": try GGUFFile(mapped: m)
                default: try NpzFile(mapped: m)
                }
            }
            if ok { opened += 1 }
        }
        // The seeds written by the real producers are valid files: at least those must open.
        #expect(opened >= 1)
    }

    /// Importance matrices (FuzzImatrix's corpus): every input reads or fails with a FileError.
    @Test func imatrixCorpusReplaysWithoutCrashing() {
        let files = inputs("imatrix")
        #expect(!files.isEmpty, "no corpus for imatrix")
        var opened = 0
        for f in files {
            let bytes = readBytes(f)
            do {
                let m = try ImatrixFile.read(mapped: bytes.withUnsafeBytes { MappedFile(copying: $0, path: f) })
                for e in m.entries { _ = e.meanSquares }
                opened += 1
            } catch {
                #expect(error is FileError, "\(f): \(error)")
            }
        }
        #expect(opened >= 1)
    }

    /// Sharded-model indexes (FuzzShardIndex's corpus): every input parses or fails with a ShardError, and what
    /// parses survives its own encoding.
    @Test func shardIndexCorpusReplaysWithoutCrashing() throws {
        let files = inputs("shardindex")
        #expect(!files.isEmpty, "no corpus for shardindex")
        var parsed = 0
        for f in files {
            let bytes = readBytes(f)
            do {
                let index = try bytes.withUnsafeBytes { try IngotShardIndex(bytes: $0) }
                let again = try index.encoded().withUnsafeBytes { try IngotShardIndex(bytes: $0) }
                #expect(again == index, "\(f)")
                parsed += 1
            } catch {
                #expect(error is ShardError || error is IngotError, "\(f): \(error)")
            }
        }
        #expect(parsed >= 2)
    }
}
