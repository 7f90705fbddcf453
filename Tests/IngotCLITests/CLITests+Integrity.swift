import Foundation
import Testing

/// Corrupt data never flows on: every command that consumes whole tensors proves their checksums, and outputs never
/// replace what they must not.
extension CLITests {
    /// A converted copy of the llama fixture with one flipped byte inside its last tensor, and the tensor's name.
    func corruptModel(_ d: String, compress: Bool) throws -> String {
        let llama = Self.root + "/fixtures/models/llama-gqa/safetensors"
        let f = d + "/m.ingot"
        let args = ["convert", llama, "-o", f] + (compress ? ["--compress", "zstd"] : [])
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        try p.run()
        p.waitUntilExit()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: f))
        bytes[bytes.count - 3] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: f))
        return f
    }

    @Test(arguments: [false, true])
    func everyReaderOfACorruptTensorFailsNamingIt(compress: Bool) throws {
        let d = tempDir()
        let f = try corruptModel(d, compress: compress)
        let llama = Self.root + "/fixtures/models/llama-gqa/safetensors"
        let runs: [[String]] = [
            ["convert", f, "-o", d + "/out.ingot"], ["convert", f, "-o", d + "/out.safetensors"],
            ["convert", f, "-o", d + "/out.gguf"], ["convert", f, "-o", d + "/out/"], ["diff", llama, f], ["logits", f, "--tokens", "1,2,3"],
            ["verify", f, "--reference", llama, "--tokens", "1,2,3"], ["inspect", "--stats", f],
        ]
        for args in runs {
            let r = try ingot(args)
            let e = r.stderr
            #expect(r.status != 0, "\(args)")
            // Raw tensors fail their XXH3; compressed ones fail in the codec's framing or the XXH3, naming the tensor.
            #expect(e.contains("model.norm.weight") && (e.contains("checksum mismatch") || e.contains("is corrupt")), "\(args): \(e)")
            #expect(e.split(separator: "\n").count == 1, "\(args): \(e)")
        }
        // Nothing was written from the corrupt data.
        #expect(try FileManager.default.contentsOfDirectory(atPath: d) == ["m.ingot"])
    }

    @Test func logitsRefusesToOverwriteAndNeverReplacesADevice() throws {
        let d = tempDir()
        let llama = Self.root + "/fixtures/models/llama-gqa/safetensors"
        let out = d + "/l.npy"
        #expect(try ingot("logits", llama, "--tokens", "1,2", "-o", out).status == 0)
        let again = try ingot("logits", llama, "--tokens", "1,2", "-o", out)
        #expect(again.status == 1 && again.stderr.contains("already exists"))
        #expect(try ingot("logits", llama, "--tokens", "1,2", "-o", out, "--force").status == 0)
        let dev = try ingot("logits", llama, "--tokens", "1,2", "-o", "/dev/null", "--force")
        #expect(dev.status == 1 && dev.stderr.contains("not a regular file"))
    }

    @Test func embedPrintsTheModelsOwnPoolingAndWritesNpy() throws {
        let d = tempDir()
        let bert = Self.root + "/fixtures/models/bert/safetensors"
        let r = try ingot("embed", bert, "--tokens", "2,108,78,109,59,6,3")
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("embedding (mean, normalized) [64] of 7 tokens, norm 1.00000"))
        let h = try ingot("embed", bert, "--tokens", "2,108,78,109,59,6,3", "--pool", "none", "-o", d + "/h.npy")
        #expect(h.status == 0 && h.stdout.contains("hidden states [7, 64]"))
        #expect(try ingot("embed", bert, "--tokens", "2,3", "--token-types", "0").status == 64)
        #expect(try ingot("embed", bert, "--tokens", "2,3", "--pool", "bogus").status == 64)
        #expect(try ingot("verify", bert, "--reference", bert, "--min-cosine", "2").status == 64)
    }

    @Test func verifyOfAnEncoderReportsCosineAndPasses() throws {
        let d = tempDir()
        let bert = Self.root + "/fixtures/models/bert/safetensors"
        #expect(try ingot("convert", bert, "-o", d + "/b.ingot", "--quantize", "q8_0").status == 0)
        let r = try ingot("verify", d + "/b.ingot", "--reference", bert, "--json")
        #expect(r.status == 0)
        #expect(r.stdout.contains("\"kind\":\"encoder\"") && r.stdout.contains("\"cosine_min\""))
    }
}

extension CLITests {
    /// A hostile 20 KB tensor name is cut in the text table (the JSON keeps it whole), so the table stays as wide as a
    /// normal one and rendering stays linear.
    @Test func longTensorNamesAreCutInTheTable() throws {
        let d = tempDir()
        let f = d + "/long.safetensors"
        let name = String(repeating: "a", count: 20_000)
        let header = #"{"\#(name)":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Data($0) }
        bytes += Data(header.utf8) + Data([0, 0, 0x80, 0x3f])
        try bytes.write(to: URL(fileURLWithPath: f))
        let r = try ingot("inspect", f)
        #expect(r.status == 0)
        #expect(r.stdout.split(separator: "\n").allSatisfy { $0.count < 400 })
        #expect(r.stdout.contains(String(repeating: "a", count: 159) + "…"))
        #expect(r.stdout.split(separator: "\n").allSatisfy { !$0.hasSuffix(" ") })
        let j = try ingot("inspect", "--json", f)
        #expect(j.stdout.contains(name))
    }
}
