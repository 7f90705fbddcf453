import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// Damaged copies of every fixture — every truncation and seeded random byte corruptions — must either read or
/// fail with an error: never trap, hang or read out of bounds. `INGOT_CORRUPTIONS=N` runs N corruptions per
/// fixture instead of 400 (for longer runs by hand).
@Suite struct HostileInputTests {
    static let corruptions = ProcessInfo.processInfo.environment["INGOT_CORRUPTIONS"].flatMap { Int($0) } ?? 400

    static let fixtures = ["dtypes.safetensors", "arrays.npz", "arrays_compressed.npz", "npy/c_order_f32.npy",
                           "npy/fortran_f32.npy", "npy/big_endian_i32.npy", "npy/format_v3_i16.npy", "npy/object.npy"]

    /// Opens `bytes` with the reader for `fixture`'s format and loads every tensor; true when that all succeeded.
    @discardableResult
    func readAll(_ bytes: [UInt8], like fixture: String) -> Bool {
        let file = bytes.withUnsafeBytes { MappedFile(copying: $0, path: fixture) }
        do {
            let source: any TensorSource
            if fixture.hasSuffix(".safetensors") {
                source = try SafetensorsFile(mapped: file)
            } else if fixture.hasSuffix(".npz") {
                source = try NpzFile(mapped: file)
            } else {
                source = try NpyFile(mapped: file)
            }
            for d in source.descriptors {
                let b = try source.load(d.name)
                #expect(b.count == d.layout.byteCount)
            }
            return true
        } catch {
            #expect(error is FileError, "errors come out as FileError")
            return false
        }
    }

    @Test(arguments: fixtures)
    func everyTruncationFailsCleanly(_ fixture: String) {
        let bytes = readBytes(Fixtures.path(fixture))
        #expect(!bytes.isEmpty)
        for k in 0..<bytes.count {
            #expect(!readAll(Array(bytes.prefix(k)), like: fixture), "prefix \(k) of \(fixture) read as valid")
        }
    }

    @Test(arguments: fixtures)
    func randomCorruptionNeverTraps(_ fixture: String) {
        let bytes = readBytes(Fixtures.path(fixture))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<Self.corruptions {
            var damaged = bytes
            for _ in 0..<(1 + next() % 4) {
                let i = next() % damaged.count
                damaged[i] = [0x00, 0xFF, UInt8(truncatingIfNeeded: next()), damaged[i] ^ 0x80][next() % 4]
            }
            readAll(damaged, like: fixture)
        }
    }
}
