import Foundation
import Testing

/// Usage errors: option values and combinations the parser refuses before any work, with exit 64 and one line.
extension CLITests {
    var hf: String { Self.root + "/fixtures/models/llama-gqa/safetensors" }

    /// Runs `ingot` and expects a usage error whose one stderr line contains `message`.
    func expectUsageError(_ args: [String], _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        let err = Pipe()
        p.standardOutput = Pipe()
        p.standardError = err
        try p.run()
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 64, "\(args): \(e)", sourceLocation: sourceLocation)
        #expect(e.hasPrefix("ingot: ") && e.contains(message), "\(e)", sourceLocation: sourceLocation)
        #expect(e.split(separator: "\n").count == 1, "\(e)", sourceLocation: sourceLocation)
    }

    @Test func keepWithoutQuantizeIsAUsageError() throws {
        try expectUsageError(["convert", model, "-o", tempDir() + "/m.ingot", "--keep", "x"], "--keep needs --quantize")
    }

    @Test func groupSizeWithoutQuantizeIsAUsageError() throws {
        try expectUsageError(["convert", model, "-o", tempDir() + "/m.ingot", "--group-size", "64"], "--group-size needs --quantize")
    }

    @Test func chunkSizeWithoutCompressIsAUsageError() throws {
        try expectUsageError(["convert", model, "-o", tempDir() + "/m.ingot", "--chunk-size", "4096"], "--chunk-size needs --compress")
    }

    @Test func chunkSizeOutOfRangeIsAUsageError() throws {
        try expectUsageError(["convert", model, "-o", tempDir() + "/m.ingot", "--compress", "zstd", "--chunk-size", "0"], "--chunk-size must be in")
    }

    @Test func castToABlockTypeIsAUsageError() throws {
        try expectUsageError(["convert", model, "-o", tempDir() + "/m.ingot", "--dtype", "q4_0"], "'f32', 'f16' or 'bf16'")
    }

    @Test func unlistedGroupSizeIsAUsageError() throws {
        try expectUsageError(["convert", model, "-o", tempDir() + "/m.ingot", "--quantize", "q4_0", "--group-size", "48"], "'row'")
    }

    @Test func badRegularExpressionIsAUsageError() throws {
        try expectUsageError(["convert", model, "-o", tempDir() + "/m.ingot", "--quantize", "q4_0", "--keep", "("], "bad regular expression")
    }

    @Test func helpForAnUnknownSubcommandIsAUsageError() throws {
        try expectUsageError(["help", "bogus"], "unknown subcommand \"bogus\"")
    }

    @Test func tokensTogetherWithTokenFileIsAUsageError() throws {
        try expectUsageError(["verify", hf, "--reference", hf, "--tokens", "1,2", "--token-file", "t.txt"], "cannot be used together")
    }

    @Test func emptyTokenIdIsAUsageError() throws {
        try expectUsageError(["verify", hf, "--reference", hf, "--tokens", "1,,2"], "non-negative integers")
    }

    @Test func negativeOrNonFiniteMaxKLDIsAUsageError() throws {
        try expectUsageError(["verify", hf, "--reference", hf, "--max-kld=-0.5"], "--max-kld must be a finite number ≥ 0")
        try expectUsageError(["verify", hf, "--reference", hf, "--max-kld", "inf"], "--max-kld must be a finite number ≥ 0")
    }

    @Test func minTop1OutsideZeroToOneIsAUsageError() throws {
        try expectUsageError(["verify", hf, "--reference", hf, "--min-top1", "1.5"], "--min-top1 must be in 0…1")
    }

    @Test func threadsOutsideOneTo256IsAUsageError() throws {
        try expectUsageError(["verify", hf, "--reference", hf, "--threads", "0"], "--threads must be in 1…256 (got 0)")
        try expectUsageError(["logits", hf, "--tokens", "1", "--threads", "257"], "--threads must be in 1…256 (got 257)")
    }

    @Test func diffJSONWritesAnInfiniteSQNRAsNull() throws {
        let r = try ingot("diff", model, model, "--json")
        #expect(r.status == 0)
        #expect(r.stdout.contains("\"sqnr_db\":null"))
        #expect(!r.stdout.contains("\"inf\""))
    }
}
