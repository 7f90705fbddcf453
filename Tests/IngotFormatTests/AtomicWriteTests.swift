import Foundation
import Testing
@testable import IngotFormat

@Suite struct AtomicWriteTests {
    @Test func abortedWriteLeavesExistingFileIntact() throws {
        let dir = TempDir()
        let original = try writeContainer([("a", weights(10))], in: dir)
        let w = try IngotWriter(path: dir.file("t.ingot"))
        let v = weights(100)
        try v.withUnsafeBytes { try w.append(TensorDescriptor(name: "b", layout: TensorLayout(name: "b", dtype: .f32, shape: [100], groupSize: nil)), bytes: $0) }
        w.abort()
        #expect(readBytes(dir.file("t.ingot")) == original)
        #expect(dir.entries == ["t.ingot"])
    }

    @Test func droppedWriterLeavesNoTempFile() throws {
        let dir = TempDir()
        do {
            let w = try IngotWriter(path: dir.file("new.ingot"))
            let v = weights(4)
            try v.withUnsafeBytes { try w.append(TensorDescriptor(name: "b", layout: TensorLayout(name: "b", dtype: .f32, shape: [4], groupSize: nil)), bytes: $0) }
        }
        #expect(dir.entries.isEmpty)
    }

    @Test func failedAddDoesNotTouchDestination() throws {
        let dir = TempDir()
        let original = try writeContainer([("a", weights(10))], in: dir)
        let w = try IngotWriter(path: dir.file("t.ingot"))
        let v = weights(4)
        #expect(throws: FileError.self) {
            // 4 floats offered for a shape of 5: refused.
            try v.withUnsafeBytes { try w.append(TensorDescriptor(name: "b", layout: TensorLayout(name: "b", dtype: .f32, shape: [5], groupSize: nil)), bytes: $0) }
        }
        w.abort()
        #expect(readBytes(dir.file("t.ingot")) == original)
    }

    @Test func duplicateNameRefusedByWriter() throws {
        let dir = TempDir()
        let w = try IngotWriter(path: dir.file("d.ingot"))
        let v = weights(2)
        let l = try TensorLayout(name: "x", dtype: .f32, shape: [2], groupSize: nil)
        try v.withUnsafeBytes { try w.append(TensorDescriptor(name: "x", layout: l), bytes: $0) }
        do {
            try v.withUnsafeBytes { try w.append(TensorDescriptor(name: "x", layout: l), bytes: $0) }
            Issue.record("expected an error")
        } catch {
            #expect(ingotError(error) == .duplicateName("x"))
        }
    }

    @Test func finishedFileReplacesExistingOne() throws {
        let dir = TempDir()
        _ = try writeContainer([("a", weights(10))], in: dir)
        let second = try writeContainer([("z", weights(20))], in: dir)
        #expect(readBytes(dir.file("t.ingot")) == second)
        #expect(try IngotFile(path: dir.file("t.ingot")).tensors.map(\.name) == ["z"])
        #expect(dir.entries == ["t.ingot"])
    }
}

/// Writes leave nothing behind, even when killed: the file has no name until it is complete (Linux O_TMPFILE), and
/// a destination that is not a regular file is never replaced.
@Suite struct UnnamedTempFileTests {
    @Test func aWriteInProgressHasNoDirectoryEntry() throws {
        let dir = TempDir()
        let f = try AtomicFile(destination: dir.file("out.bin"))
        try f.write([1, 2, 3])
        #if os(Linux)
            #expect(dir.entries.isEmpty, "an unnamed temp file should not appear: \(dir.entries)")
            #expect(f.currentPath == nil)
        #endif
        try f.commit()
        #expect(dir.entries == ["out.bin"])
        #expect(readBytes(dir.file("out.bin")) == [1, 2, 3])
    }

    @Test func theContentIsReadableBeforeCommit() throws {
        let dir = TempDir()
        let f = try AtomicFile(destination: dir.file("out.bin"))
        try f.write([7, 8])
        #expect(try MappedFile(path: f.readablePath).bytes.count == 2)
        f.abort()
        #expect(dir.entries.isEmpty)
    }

    @Test func devicesAndDirectoriesAreNeverReplaced() throws {
        let dir = TempDir()
        #expect(throws: IngotError.self) { _ = try AtomicFile(destination: "/dev/null") }
        #expect(throws: IngotError.self) { _ = try AtomicFile(destination: dir.path) }
        let fifo = dir.file("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: IngotError.self) { _ = try AtomicFile(destination: fifo) }
    }
}
