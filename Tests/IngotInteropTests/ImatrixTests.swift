import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// Importance-matrix files: both of llama.cpp's layouts round-trip, and hostile legacy files fail with one error.
@Suite struct ImatrixTests {
    static let sample = ImportanceMatrix(
        entries: [
            .init(name: "blk.0.attn_q.weight", columns: 4, sums: [1, 2, 3, 4], counts: [8]),
            .init(name: "blk.0.ffn_down.weight", columns: 2, sums: [0.5, 0, 1.5, 3], counts: [4, 2]),
        ],
        datasets: ["calibration.txt"], chunkCount: 2, chunkSize: 512)

    @Test func ggufRoundTripKeepsSumsCountsAndKeys() throws {
        let dir = TempDir()
        let p = dir.file("m.imatrix")
        try ImatrixFile.write(Self.sample, to: p, format: .gguf)
        let back = try ImatrixFile.read(path: p)
        // The GGUF layout sorts matrices by name, as llama-imatrix writes them.
        #expect(back.entries.map(\.name) == ["blk.0.attn_q.weight", "blk.0.ffn_down.weight"])
        #expect(back.entries == Self.sample.entries)
        #expect(back.datasets == ["calibration.txt"] && back.chunkCount == 2 && back.chunkSize == 512)
        let g = try GGUFFile(path: p)
        #expect(g.value(forKey: "general.type") == .string("imatrix"))
        #expect(g.tensorInfo("blk.0.ffn_down.weight.in_sum2")?.dims == [2, 2])
        #expect(g.tensorInfo("blk.0.ffn_down.weight.counts")?.dims == [1, 2])
        #expect(g.tensorInfo("blk.0.attn_q.weight.in_sum2")?.dims == [4])
        #expect(g.tensorInfo("blk.0.attn_q.weight.counts")?.dims == [1])
    }

    @Test func legacyRoundTripKeepsTheMeans() throws {
        let dir = TempDir()
        let p = dir.file("m.dat")
        #expect(ImatrixFormat(path: p) == .legacy)
        try ImatrixFile.write(Self.sample, to: p, format: .legacy)
        let back = try ImatrixFile.read(path: p)
        #expect(back.entries.map(\.name) == Self.sample.entries.map(\.name))
        for (a, b) in zip(back.entries, Self.sample.entries) {
            // Legacy stores means × ncall with one call count: the means survive, the token counts do not.
            #expect(a.counts == [2])
            #expect(a.sums.count == b.sums.count)
        }
        #expect(back.entries[0].meanSquares == Self.sample.entries[0].meanSquares)
        #expect(back.datasets == ["calibration.txt"] && back.chunkCount == 2)
    }

    @Test func meanSquaresAverageMatricesThatSawTokens() {
        let e = ImportanceMatrix.Entry(name: "x", columns: 2, sums: [4, 8, 0, 0], counts: [2, 0])
        #expect(e.meanSquares == [2, 4])
        #expect(ImportanceMatrix.Entry(name: "x", columns: 1, sums: [1], counts: [0]).meanSquares == nil)
    }

    /// A legacy file built field by field.
    struct Legacy {
        var bytes: [UInt8] = []
        mutating func i32(_ v: Int32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        mutating func f32(_ v: Float) { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        mutating func entry(_ name: String, ncall: Int32 = 1, values: [Float]) {
            i32(Int32(name.utf8.count))
            bytes += Array(name.utf8)
            i32(ncall)
            i32(Int32(values.count))
            for v in values { f32(v) }
        }
    }

    func legacyError(_ bytes: [UInt8]) -> ImatrixError? {
        bytes.withUnsafeBytes { (raw) -> ImatrixError? in
            do throws(ImatrixError) { _ = try LegacyImatrix.parse(raw); return nil } catch { return error }
        }
    }

    @Test func legacyWithoutTrailerReads() throws {
        var l = Legacy()
        l.i32(1)
        l.entry("a.weight", ncall: 3, values: [3, 6])
        let m = try l.bytes.withUnsafeBytes { try LegacyImatrix.parse($0) }
        #expect(m.entries[0].meanSquares == [1, 2] && m.chunkCount == 0 && m.datasets.isEmpty)
    }

    @Test func hugeEntryCountInATinyFile() {
        var l = Legacy()
        l.i32(1 << 20)
        #expect(legacyError(l.bytes) == .truncated(what: "the 1048576 entries"))
        var m = Legacy()
        m.i32(Int32.max)
        #expect(legacyError(m.bytes) == .tooLarge(what: "entry count", value: Int64(Int32.max)))
    }

    @Test func negativeOrHugeLengths() {
        // Padded past the 13-byte minimum per entry so the length itself is what fails.
        var l = Legacy()
        l.i32(1)
        l.i32(-5)
        l.bytes += [UInt8](repeating: 0, count: 16)
        #expect(legacyError(l.bytes) == .badName(index: 0))
        var m = Legacy()
        m.i32(1)
        m.i32(1 << 30)
        m.bytes += [UInt8](repeating: 0, count: 16)
        #expect(legacyError(m.bytes) == .tooLarge(what: "name length", value: 1 << 30))
    }

    @Test func valueCountBeyondTheFile() {
        var l = Legacy()
        l.i32(1)
        l.i32(1)
        l.bytes += Array("a".utf8)
        l.i32(1)
        l.i32(1000)
        l.f32(1)
        #expect(legacyError(l.bytes) == .truncated(what: "the values of \"a\""))
    }

    @Test func negativeOrNaNValuesAreRefused() {
        for bad in [Float(-1), .nan, .infinity] {
            var l = Legacy()
            l.i32(1)
            l.entry("a", values: [1, bad])
            #expect(legacyError(l.bytes) == .badValue(tensor: "a"))
        }
    }

    @Test func duplicateEntries() {
        var l = Legacy()
        l.i32(2)
        l.entry("a", values: [1])
        l.entry("a", values: [1])
        #expect(legacyError(l.bytes) == .duplicate("a"))
    }

    @Test func trailingBytesAfterTheDataset() {
        var l = Legacy()
        l.i32(1)
        l.entry("a", values: [1])
        l.i32(1)
        l.i32(1)
        l.bytes += [0x41, 0x42]
        #expect(legacyError(l.bytes) == .trailingBytes(1))
    }

    @Test func everyTruncationOfAValidFileFailsCleanly() {
        var l = Legacy()
        l.i32(2)
        l.entry("blk.0.attn_q.weight", ncall: 2, values: [1, 2, 3])
        l.entry("blk.0.attn_k.weight", ncall: 2, values: [4, 5])
        l.i32(2)
        l.i32(4)
        l.bytes += Array("text".utf8)
        for n in 0..<l.bytes.count {
            // Cutting inside the optional trailer leaves a shorter valid file only at its two boundaries.
            let e = legacyError(Array(l.bytes.prefix(n)))
            let entriesEnd = l.bytes.count - 12
            if n == entriesEnd || n == entriesEnd + 4 { #expect(e == nil, "cut at \(n)") } else { #expect(e != nil, "cut at \(n)") }
        }
    }

    @Test func aGGUFModelIsNotAnImatrix() throws {
        let dir = TempDir()
        let p = dir.file("model.gguf")
        let d = TensorDescriptor(name: "w", layout: try TensorLayout(name: "w", dtype: .f32, shape: [2], groupSize: nil))
        let w = try GGUFWriter(path: p, keyValues: [GGUFKeyValue("general.architecture", .string("llama"))], tensors: [d])
        try [Float(1), 2].withUnsafeBytes { try w.append(d, bytes: $0) }
        try w.finish()
        #expect(throws: FileError.self) { try ImatrixFile.read(path: p) }
        do { _ = try ImatrixFile.read(path: p) } catch let e as FileError {
            #expect(e.description.contains("general.type = imatrix"))
        }
    }

    @Test func unpairedSumsAreRefused() throws {
        let dir = TempDir()
        let p = dir.file("bad.imatrix")
        let d = TensorDescriptor(name: "a.in_sum2", layout: try TensorLayout(name: "a.in_sum2", dtype: .f32, shape: [1, 2], groupSize: nil))
        let w = try GGUFWriter(path: p, keyValues: [GGUFKeyValue("general.type", .string("imatrix"))], tensors: [d])
        try [Float(1), 2].withUnsafeBytes { try w.append(d, bytes: $0) }
        try w.finish()
        do {
            _ = try ImatrixFile.read(path: p)
            Issue.record("read an imatrix whose sums have no counts")
        } catch let e as FileError {
            #expect(e.underlying as? ImatrixError == .notAnImatrix(reason: "\"a.in_sum2\" has no \"a.counts\""))
        }
    }
}
