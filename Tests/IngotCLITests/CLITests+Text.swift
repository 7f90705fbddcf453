import Foundation
import Testing

/// Text in: `tokenize`, `prompt`, and `--text` for `logits`/`embed`.
extension CLITests {
    var llamaDir: String { Self.root + "/fixtures/models/llama-gqa/safetensors" }

    @Test func tokenizePrintsTheIdsTokenizersGave() throws {
        let r = try ingot("tokenize", llamaDir, "<|im_start|>Hello, Ingot weights!<|im_end|>")
        #expect(r.status == 0)
        #expect(r.stdout == "1 311 273 81 14 223 313 73 274 307 3 2\n")
        let j = try ingot("tokenize", llamaDir, "Hello", "--json")
        #expect(j.stdout.hasPrefix("{\"ids\":[311,273,81],\"tokens\":[\"He\",\"ll\",\"o\"]"))
        let d = try ingot("tokenize", llamaDir, "--decode", "311,273,81")
        #expect(d.stdout == "Hello\n")
    }

    @Test func tokenizeLinesGivesOneResultPerLine() throws {
        let f = tempDir() + "/t.txt"
        try "Hello\nweights".write(toFile: f, atomically: true, encoding: .utf8)
        let r = try ingot("tokenize", llamaDir, "--file", f, "--lines", "--json")
        #expect(r.stdout.split(separator: "\n").count == 2)
    }

    @Test func invalidUTF8AndMissingTokenizersAreOneLineErrors() throws {
        let f = tempDir() + "/bad.txt"
        FileManager.default.createFile(atPath: f, contents: Data([0x48, 0xff, 0x49]))
        let r = try ingot("tokenize", llamaDir, "--file", f)
        #expect(r.status == 1 && r.stderr.contains("not valid UTF-8"))
        let n = try ingot("tokenize", model, "hi")
        #expect(n.status == 1 && n.stderr.contains("has no tokenizer"))
        #expect(try ingot("tokenize", llamaDir, "a", "--file", f).status == 64)
    }

    @Test func promptRendersTheModelsTemplate() throws {
        let m = tempDir() + "/m.json"
        try #"[{"role": "user", "content": "Hi!"}]"#.write(toFile: m, atomically: true, encoding: .utf8)
        let r = try ingot("prompt", llamaDir, "--messages", m)
        #expect(r.stdout == "<|im_start|>system\nYou are a tiny test model.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n")
        let t = tempDir() + "/t.jinja"
        try "{% for m in messages %}{{ m.content }}{% endfor %}{{ undefined_fn() }}".write(toFile: t, atomically: true, encoding: .utf8)
        let e = try ingot("prompt", llamaDir, "--messages", m, "--template", t)
        #expect(e.status == 1 && e.stderr.split(separator: "\n").count == 1)
    }

    @Test func logitsAndEmbedAcceptText() throws {
        let l = try ingot("logits", llamaDir, "--text", "Hello")
        #expect(l.status == 0 && l.stdout.contains("311 \"He\""))
        let e = try ingot("embed", Self.root + "/fixtures/models/bert/safetensors", "--text", "Attention weights each token.")
        #expect(e.status == 0 && e.stdout.contains("of 7 tokens"))
        #expect(try ingot("logits", llamaDir, "--text", "a", "--tokens", "1").status == 64)
    }
}

extension CLITests {
    /// GGUF exports llama.cpp can run: F32 norms after --dtype f16, and no silent tokenizer-less file.
    @Test func ggufExportsFollowLlamaCppsRules() throws {
        let d = tempDir()
        #expect(try ingot("convert", llamaDir, "-o", d + "/f16.gguf", "--dtype", "f16").status == 0)
        let i = try ingot("inspect", "--json", d + "/f16.gguf")
        #expect(i.stdout.contains("\"name\":\"model.norm.weight\",\"dtype\":\"f32\"") && i.stdout.contains("\"name\":\"model.layers.0.input_layernorm.weight\",\"dtype\":\"f32\""))
        let bare = d + "/bare"
        try FileManager.default.createDirectory(atPath: bare, withIntermediateDirectories: true)
        for f in ["model.safetensors", "config.json"] {
            try FileManager.default.copyItem(atPath: llamaDir + "/" + f, toPath: bare + "/" + f)
        }
        let r = try ingot("convert", bare, "-o", d + "/bare.gguf")
        #expect(r.status == 1 && r.stderr.contains("no tokenizer"))
        #expect(try ingot("convert", bare, "-o", d + "/bare.gguf", "--allow-no-tokenizer").status == 0)
    }
}

/// `generate`.
extension CLITests {
    @Test func generateGreedyJSONMatchesTransformers() throws {
        // fixtures/models/greedy.json: transformers' greedy ids for this prompt on llama-gqa (first 24 new tokens).
        let r = try ingot("generate", llamaDir, "--tokens", "1,311,273,81,14,223,313,73,274,307,3,2", "--max-tokens", "24",
                          "--ignore-eos", "--activations", "f32", "--json", "--threads", "2")
        #expect(r.status == 0)
        let j = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let greedy = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.root + "/fixtures/models/greedy.json"))) as? [String: Any]
        let expected = ((greedy?["models"] as? [String: Any])?["fixtures/models/llama-gqa/safetensors"] as? [String: Any])?["ids"] as? [Int]
        #expect(j?["ids"] as? [Int] == expected)
        #expect(j?["finish_reason"] as? String == "length")
    }

    @Test func generateStreamsTextAndTimesOnStderr() throws {
        let r = try ingot("generate", llamaDir, "--chat", "Hi!", "--max-tokens", "5", "--seed", "1", "--temperature", "0.7")
        #expect(r.status == 0)
        #expect(r.stderr.contains("tokens/s") && r.stderr.contains("finish:"))
    }

    @Test func generateUsageErrors() throws {
        #expect(try ingot("generate", llamaDir, "--prompt", "a", "--chat", "b").status == 64)
        #expect(try ingot("generate", llamaDir).status == 64)
        #expect(try ingot("generate", llamaDir, "--prompt", "a", "--temperature", "-1").status == 64)
        #expect(try ingot("generate", llamaDir, "--prompt", "a", "--max-tokens", "0").status == 64)
        #expect(try ingot("generate", llamaDir, "--system", "s", "--prompt", "a").status == 64)
        let e = try ingot("generate", model, "--prompt", "hi")
        #expect(e.status == 1 && e.stderr.split(separator: "\n").count == 1)
    }
}
