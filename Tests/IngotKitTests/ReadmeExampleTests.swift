import IngotKit
import IngotQuant
import Testing

/// README.md's "Library" example, with fixture paths: it must keep compiling and running as written. (One BLAS
/// thread instead of the README's two: OpenBLAS threads spin against the tests running beside this one.)
@Suite struct ReadmeExampleTests {
    @Test func convertThenVerifyThenStamp() throws {
        let dir = KitFixtures.tempDir()
        let policy = try QuantPolicy(dtype: .q4_0, groupSize: 32, keep: ["lm_head"])
        let converted = try Converter.convert(ConvertRequest(source: KitFixtures.llama, output: dir + "/q.ingot", quantize: policy))
        #expect(converted.quantizedCount > 0 && converted.bitsPerWeight < 16)

        let report = try Verifier.verify(VerifyRequest(candidate: dir + "/q.ingot", reference: KitFixtures.llama, threads: 1))
        // The fixture is a tiny random model: q4_0 fails its thresholds, so both branches are exercised across tests.
        if report.verdict.pass { try Verifier.stamp(report) } else { #expect(!report.verdict.reasons.isEmpty) }
        #expect(report.json.objectValue?["verdict"]?.stringValue == (report.verdict.pass ? "PASS" : "FAIL"))
        try report.writeHTML(to: dir + "/report.html")

        let generator = try Generator(path: dir + "/q.ingot", threads: 2)
        var streamed = ""
        let answer = try generator.generate(GenerateRequest(input: .chat(user: "What is the capital of France?", system: nil))) {
            streamed += $0
        }
        #expect(streamed == answer.text)
        #expect(answer.decodeTokensPerSecond >= 0)
    }
}
