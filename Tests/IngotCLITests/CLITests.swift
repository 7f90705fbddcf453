import Foundation
import Testing

/// The `ingot` binary end to end: exit codes, one-line errors, overwrite protection, quantization and export.
@Suite struct CLITests {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The `ingot` binary built next to this test bundle.
    static let binary: String = {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("ingot").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return root + "/.build/debug/ingot"
    }()

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    func ingot(_ args: String...) throws -> Result { try ingot(args) }

    /// Runs the binary to completion; `environment` sets (or, with nil, removes) variables of this process's own.
    func ingot(_ args: [String], environment: [String: String?] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        if !environment.isEmpty {
            var env = ProcessInfo.processInfo.environment
            for (k, v) in environment { env[k] = v }
            p.environment = env
        }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func tempDir() -> String {
        let d = NSTemporaryDirectory() + "ingot-cli-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    var model: String { Self.root + "/fixtures/tiny-llama/model.safetensors" }

    @Test func badFileGivesOneErrorLineAndExit1() throws {
        let d = tempDir()
        let f = d + "/bad.ingot"
        FileManager.default.createFile(atPath: f, contents: Data([0x89, 0x49, 0x4E, 0x47, 0x4F, 0x54, 0x0D, 0x0A, 0xff]))
        for command in ["inspect", "check"] {
            let r = try ingot(command, f)
            #expect(r.status == 1)
            #expect(r.stderr.hasPrefix("ingot: \(f): truncated"))
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func checkReportsTheBadTensor() throws {
        let d = tempDir()
        let f = d + "/m.ingot"
        #expect(try ingot("convert", model, "-o", f).status == 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: f))
        bytes[bytes.count - 3] ^= 0x40  // inside the last tensor
        try bytes.write(to: URL(fileURLWithPath: f))
        let r = try ingot("check", f)
        #expect(r.status == 1)
        #expect(r.stderr.contains("model.norm.weight\": checksum mismatch"))
    }

    @Test func convertRefusesToOverwriteWithoutForce() throws {
        let d = tempDir()
        let f = d + "/m.ingot"
        #expect(try ingot("convert", model, "-o", f).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: f))
        let r = try ingot("convert", model, "-o", f, "--compress", "zstd")
        #expect(r.status == 1)
        #expect(r.stderr.contains("already exists (use --force to overwrite)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: f)) == before)
        #expect(try ingot("convert", model, "-o", f, "--compress", "zstd", "--force").status == 0)
    }

    @Test func failedConversionLeavesNoFileBehind() throws {
        let d = tempDir()
        let bad = d + "/bad.safetensors"
        FileManager.default.createFile(atPath: bad, contents: Data([8, 0, 0, 0, 0, 0, 0, 0]) + Data("{\"a\":1}".utf8))
        let r = try ingot("convert", bad, "-o", d + "/out.ingot")
        #expect(r.status == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: d) == ["bad.safetensors"])
    }

    @Test func safetensorsRoundTripIsByteIdentical() throws {
        let d = tempDir()
        #expect(try ingot("convert", model, "-o", d + "/m.ingot", "--compress", "zstd").status == 0)
        #expect(try ingot("convert", d + "/m.ingot", "-o", d + "/back.safetensors").status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: d + "/back.safetensors")) == Data(contentsOf: URL(fileURLWithPath: model)))
    }

    @Test func quantizePrintsTheTableAndTotals() throws {
        let d = tempDir()
        let r = try ingot("convert", model, "-o", d + "/q.ingot", "--quantize", "q4_0", "--type-for", "embed|lm_head=q8_0")
        #expect(r.status == 0)
        #expect(r.stdout.contains("model.embed_tokens.weight"))
        #expect(r.stdout.contains("q8_0/g32"))
        #expect(r.stdout.contains("row 176 ∤ 32: whole row"))
        #expect(r.stdout.contains("16 of 21 tensors quantized"))
        #expect(r.stdout.contains("bits per weight"))
        #expect(try ingot("check", d + "/q.ingot").status == 0)
    }

    @Test func quantizedExportToSafetensorsIsDequantized() throws {
        let d = tempDir()
        #expect(try ingot("convert", model, "-o", d + "/q.ingot", "--quantize", "q8_0").status == 0)
        #expect(try ingot("convert", d + "/q.ingot", "-o", d + "/q.safetensors", "--dtype", "bf16").status == 0)
        let r = try ingot("inspect", "--json", d + "/q.safetensors")
        #expect(r.status == 0)
        #expect(r.stdout.contains("\"dtype\":\"bf16\""))
        #expect(!r.stdout.contains("q8_0"))
    }

    @Test func quantizeNeedsAnIngotOutput() throws {
        let d = tempDir()
        for out in [d + "/q.safetensors", d + "/q/"] {
            let r = try ingot("convert", model, "-o", out, "--quantize", "q4_0")
            #expect(r.status == 1)
            #expect(r.stderr.contains("quantization needs an .ingot or .gguf output"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: d).isEmpty)
    }

    @Test func convertWritesAHuggingFaceDirectory() throws {
        let d = tempDir()
        let bert = Self.root + "/fixtures/models/bert/safetensors"
        let r = try ingot("convert", bert, "-o", d + "/out/")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "no warnings: \(r.stderr)")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: d + "/out"))
        #expect(files == Set(try FileManager.default.contentsOfDirectory(atPath: bert)))
        let again = try ingot("convert", bert, "-o", d + "/out/")
        #expect(again.status == 1 && again.stderr.contains("config.json: already exists (use --force to overwrite)"))
        #expect(try ingot("convert", bert, "-o", d + "/out/", "--force").status == 0)
    }

    @Test func inspectJSONIsParseable() throws {
        let r = try ingot("inspect", "--json", "--stats", model)
        #expect(r.status == 0)
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect((obj?["tensors"] as? [Any])?.count == 21)
    }

    @Test func inspectStatsOfQuantizedTensors() throws {
        let d = tempDir()
        #expect(try ingot("convert", model, "-o", d + "/q.ingot", "--quantize", "q4_1").status == 0)
        let r = try ingot("inspect", "--json", "--stats", d + "/q.ingot")
        #expect(r.status == 0)
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let tensors = obj?["tensors"] as? [[String: Any]] ?? []
        let q = tensors.first { $0["name"] as? String == "model.layers.0.self_attn.q_proj.weight" }
        #expect(q?["dtype"] as? String == "q4_1")
        let std = (q?["stats"] as? [String: Any])?["std"] as? Double ?? 0
        #expect(std > 0.001 && std < 1)  // the dequantized weights' spread, not a placeholder
    }

    @Test func unknownFormatIsAClearError() throws {
        let d = tempDir()
        let f = d + "/x.bin2"
        FileManager.default.createFile(atPath: f, contents: Data("hello".utf8))
        let r = try ingot("inspect", f)
        #expect(r.status == 1)
        #expect(r.stderr.contains("unrecognised format"))
    }

    @Test func anEmptyZipIsNeverAModel() throws {
        // End of central directory record only: the smallest valid zip.
        let emptyZip = Data([0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
        let d = tempDir()
        for (name, message) in [("empty.bin", "not a PyTorch checkpoint: no <folder>/data.pkl in the zip"),
                                ("empty.npz", "no tensors: an empty npz archive is not a model")] {
            FileManager.default.createFile(atPath: d + "/" + name, contents: emptyZip)
            for command in ["inspect", "check"] {
                let r = try ingot(command, d + "/" + name)
                #expect(r.status == 1, "\(command) \(name)")
                #expect(r.stderr == "ingot: \(d)/\(name): \(message)\n")
            }
        }
    }

    @Test func usageErrorExits64() throws {
        #expect(try ingot("convert", model).status == 64)
    }

    @Test func ggufThroughIngotBackToGGUFIsByteIdentical() throws {
        let d = tempDir()
        let src = Self.root + "/fixtures/models/llama-gqa/gguf/llama-gqa-Q4_0.gguf"
        #expect(try ingot("convert", src, "-o", d + "/m.ingot", "--compress", "zstd").status == 0)
        #expect(try ingot("convert", d + "/m.ingot", "-o", d + "/back.gguf").status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: d + "/back.gguf")) == Data(contentsOf: URL(fileURLWithPath: src)))
    }

    @Test func verifyPassesIdenticalAndExitsOneOnFailure() throws {
        let d = tempDir()
        let hf = Self.root + "/fixtures/models/llama-gqa/safetensors"
        #expect(try ingot("convert", hf, "-o", d + "/same.ingot").status == 0)
        let same = try ingot("verify", d + "/same.ingot", "--reference", hf)
        #expect(same.status == 0)
        #expect(same.stdout.contains("PASS — identical logits"))
        #expect(try ingot("convert", hf, "-o", d + "/q4.ingot", "--quantize", "q4_0").status == 0)
        let strict = try ingot("verify", d + "/q4.ingot", "--reference", hf, "--max-kld", "0.000001", "--json")
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("\"verdict\":\"FAIL\""))
        let missing = try ingot("verify", d + "/nope.ingot", "--reference", hf)
        #expect(missing.status == 2)
    }

    @Test func stampIsWrittenAndShownWithoutTouchingTensors() throws {
        let d = tempDir()
        let hf = Self.root + "/fixtures/models/llama-gqa/safetensors"
        #expect(try ingot("convert", hf, "-o", d + "/m.ingot", "--quantize", "q8_0").status == 0)
        let before = try ingot("diff", hf, d + "/m.ingot", "--json").stdout
        #expect(try ingot("verify", d + "/m.ingot", "--reference", hf, "--stamp").status == 0)
        #expect(try ingot("check", d + "/m.ingot").status == 0)
        #expect(try ingot("inspect", d + "/m.ingot").stdout.contains("ingot.verify"))
        #expect(try ingot("diff", hf, d + "/m.ingot", "--json").stdout == before)
    }

    /// `ingot logits` of `model` against a transformers reference `.npy` ([12, 320] f32): NMSE and argmax.
    func logitsNMSE(_ model: String, _ reference: String) throws -> (Double, Bool) {
        let d = tempDir()
        let r = try ingot("logits", Self.root + "/" + model, "--tokens", "1,311,273,81,14,223,313,73,274,307,3,2", "-o", d + "/l.npy")
        #expect(r.status == 0, "\(r.stderr)")
        let mine = try Data(contentsOf: URL(fileURLWithPath: d + "/l.npy"))
        let theirs = try Data(contentsOf: URL(fileURLWithPath: Self.root + "/" + reference))
        let a = mine.suffix(12 * 320 * 4).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let b = theirs.suffix(12 * 320 * 4).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        var err = 0.0, ref = 0.0
        for (x, y) in zip(a, b) { err += Double(x - y) * Double(x - y); ref += Double(y) * Double(y) }
        func argmax(_ v: [Float], _ row: Int) -> Int {
            let r = v[(row * 320)..<((row + 1) * 320)]
            return r.indices.max { r[$0] < r[$1] } ?? 0
        }
        let sameArgmax = a.count == 3840 && (0..<12).allSatisfy { argmax(a, $0) == argmax(b, $0) }
        return (a.count == 3840 ? err / ref : .infinity, sameArgmax)
    }

    @Test(arguments: [
        ("fixtures/models/llama-gqa/safetensors", "fixtures/models/llama-gqa/logits.npy"),
        ("fixtures/models/llama-gqa/bin", "fixtures/models/llama-gqa/logits.npy"),
        ("fixtures/models/llama-gqa/sharded", "fixtures/models/llama-gqa/logits.npy"),
        ("fixtures/models/llama-gqa/gguf/llama-gqa-F32.gguf", "fixtures/models/llama-gqa/logits.npy"),
        ("fixtures/models/llama-gqa/gguf/llama-gqa-Q8_0.gguf", "fixtures/models/llama-gqa/gguf/logits-Q8_0.npy"),
        ("fixtures/models/llama-gqa/gguf/llama-gqa-Q4_0.gguf", "fixtures/models/llama-gqa/gguf/logits-Q4_0.npy"),
        ("fixtures/models/llama-tied/bin", "fixtures/models/llama-tied/logits.npy"),
        ("fixtures/models/llama-tied/gguf/llama-tied-Q8_0.gguf", "fixtures/models/llama-tied/gguf/logits-Q8_0.npy"),
        ("fixtures/models/qwen2/safetensors", "fixtures/models/qwen2/logits.npy"),
        ("fixtures/models/gpt2/safetensors", "fixtures/models/gpt2/logits.npy"),
    ])
    func logitsMatchTransformersForEverySourceFormat(model: String, reference: String) throws {
        let (nmse, sameArgmax) = try logitsNMSE(model, reference)
        #expect(nmse < 1e-6, "\(model): NMSE \(nmse)")
        #expect(sameArgmax, "\(model)")
    }
}
