import Foundation
import Testing

/// `verify --report`: the HTML report next to the verdict.
extension CLITests {
    @Test func verifyWritesAnHTMLReport() throws {
        let d = tempDir()
        let hf = Self.root + "/fixtures/models/llama-gqa/safetensors"
        #expect(try ingot("convert", hf, "-o", d + "/q4.ingot", "--quantize", "q4_0").status == 0)
        try "The capital of France is\nOne, two, three,\n".write(toFile: d + "/prompts.txt", atomically: true, encoding: .utf8)
        try String(repeating: "Weights are tensors; tensors are bytes.\n", count: 12).write(toFile: d + "/text.txt", atomically: true, encoding: .utf8)
        let r = try ingot("verify", d + "/q4.ingot", "--reference", hf, "--prompts", d + "/prompts.txt", "--text", d + "/text.txt",
                          "--ctx", "32", "--greedy-tokens", "5", "--report", d + "/out.html")
        #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
        let html = try String(contentsOfFile: d + "/out.html", encoding: .utf8)
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains(r.status == 0 ? ">PASS</span>" : ">FAIL</span>"))
    }

    @Test func verifyThatCannotRunWritesNoReport() throws {
        let d = tempDir()
        let hf = Self.root + "/fixtures/models/llama-gqa/safetensors"
        let r = try ingot("verify", d + "/nope.ingot", "--reference", hf, "--report", d + "/out.html")
        #expect(r.status == 2)
        #expect(!FileManager.default.fileExists(atPath: d + "/out.html"))
    }
}
