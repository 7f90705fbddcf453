import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// Damaged copies of the GGUF fixtures — every truncation, seeded random corruptions — and the committed fuzz
/// corpus must read or fail with a `FileError`: never trap, hang or read out of bounds. `INGOT_CORRUPTIONS=N`
/// runs N corruptions per fixture instead of 400.
@Suite struct GGUFHostileInputTests {
    static let corruptions = ProcessInfo.processInfo.environment["INGOT_CORRUPTIONS"].flatMap { Int($0) } ?? 400

    /// Opens and loads everything; the error (unwrapped) when that fails, nil when it all worked.
    func readAll(_ bytes: [UInt8]) -> (any Error)? {
        do {
            let f = try openGGUF(bytes)
            for d in f.descriptors {
                let b = try f.load(d.name)
                #expect(b.count == d.layout.byteCount)
            }
            return nil
        } catch {
            #expect(error is FileError, "errors come out as FileError: \(error)")
            return (error as? FileError)?.underlying ?? error
        }
    }

    /// Every prefix of the header (magic, version, counts, each key, type, length, element, tensor info field and
    /// the padding) is a truncation; every prefix that cuts into tensor data is a tensor beyond the file; a prefix
    /// that only drops the padding after the last tensor still reads (ggml and gguf-py need no trailing padding).
    @Test(arguments: GGUFFixtures.names)
    func everyTruncationFailsWithItsError(_ fixture: String) throws {
        let bytes = readBytes(GGUFFixtures.path(fixture))
        let full = try GGUFFile(path: GGUFFixtures.path(fixture))
        let lastEnd = full.tensorInfos.map { full.dataOffset + $0.offset + $0.byteCount }.max() ?? full.dataOffset
        var labels = Set<String>()
        for k in 0..<bytes.count {
            let e = readAll(Array(bytes.prefix(k)))
            if k < full.dataOffset {
                guard case let .truncated(what, offset, need, have)? = e as? GGUFError else {
                    Issue.record("prefix \(k) of \(fixture): \(String(describing: e))")
                    continue
                }
                #expect(offset <= k && have == k - offset && need > UInt64(have), "prefix \(k)")
                labels.insert(what.split(separator: " ").prefix(2).joined(separator: " "))
            } else if k < lastEnd {
                guard case .tensorBeyondFile? = e as? GGUFError else {
                    Issue.record("prefix \(k) of \(fixture): \(String(describing: e))")
                    continue
                }
            } else {
                #expect(e == nil, "prefix \(k) of \(fixture) drops only trailing padding")
            }
        }
        for label in ["magic", "version", "tensor count", "key-value count", "padding before"] {
            #expect(labels.contains(label), "\(label) in \(labels.sorted())")
        }
    }

    @Test(arguments: GGUFFixtures.names)
    func randomCorruptionNeverTraps(_ fixture: String) {
        let bytes = readBytes(GGUFFixtures.path(fixture))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var opened = 0
        for _ in 0..<Self.corruptions {
            var damaged = bytes
            // Half the corruptions hit the header, where the structure is.
            let span = next() % 2 == 0 ? min(damaged.count, 2048) : damaged.count
            for _ in 0..<(1 + next() % 4) {
                let i = next() % span
                damaged[i] = [0x00, 0xFF, UInt8(truncatingIfNeeded: next()), damaged[i] ^ 0x80][next() % 4]
            }
            if readAll(damaged) == nil { opened += 1 }
        }
        #expect(opened < Self.corruptions)
    }

    /// FuzzTesting/Corpus/gguf (seeds written by gguf-py, plus inputs the fuzzer found) replays without a crash.
    @Test func fuzzCorpusReplays() {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let dir = url.path + "/FuzzTesting/Corpus/gguf"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        #expect(!files.isEmpty)
        var opened = 0
        for f in files where readAll(readBytes(dir + "/" + f)) == nil { opened += 1 }
        #expect(opened >= 4, "the gguf-py seeds open")
    }
}
