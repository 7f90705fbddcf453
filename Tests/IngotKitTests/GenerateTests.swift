import Foundation
import IngotFormat
import IngotKit
import IngotModel
import IngotText
import Testing

/// `Generator`: greedy decoding against transformers' `generate`, sampling, stopping, streaming.
@Suite struct GenerateTests {
    struct Reference: Sendable, CustomTestStringConvertible {
        let model: String
        let ids: [Int]
        var testDescription: String { model }
    }

    /// fixtures/models/greedy.json (transformers `generate(do_sample=False)`, written by fixtures/generate_greedy.py).
    static let greedy: (prompt: [Int], models: [Reference]) = {
        guard let data = FileManager.default.contents(atPath: KitFixtures.root + "/fixtures/models/greedy.json"),
            let j = try? JSONParser.parse(Array(data)).objectValue,
            let prompt = j["prompt_ids"]?.arrayValue?.compactMap({ $0.intValue.map(Int.init) }),
            let models = j["models"]?.objectValue
        else { return ([], []) }
        let refs = models.keys.sorted().compactMap { k -> Reference? in
            guard let ids = models[k]?.objectValue?["ids"]?.arrayValue?.compactMap({ $0.intValue.map(Int.init) }) else { return nil }
            return Reference(model: k, ids: ids)
        }
        return (prompt, refs)
    }()

    @Test("the greedy references load") func referencesLoad() {
        #expect(Self.greedy.prompt.count == 12)
        #expect(Self.greedy.models.count == 8)
    }

    @Test("greedy ids equal transformers' generate (f32 activations)", arguments: greedy.models)
    func greedyMatchesTransformers(_ ref: Reference) throws {
        let g = try Generator(path: KitFixtures.root + "/" + ref.model)
        let r = try g.generate(GenerateRequest(input: .tokens(Self.greedy.prompt), maxTokens: ref.ids.count,
                                               stopAtEndOfTurn: false, activations: .f32))
        #expect(r.ids == ref.ids)
        #expect(r.finishReason == .length)
        #expect(r.decodeSteps == ref.ids.count - 1)
    }

    @Test("greedy with q8 activations agrees with transformers on the 8-bit model's first tokens")
    func q8Activations() throws {
        // Random-weight fixtures have small margins, so 8-bit activations may change a later token; the first ones
        // hold (llama.cpp's arithmetic on the same file).
        let ref = try #require(Self.greedy.models.first { $0.model.hasSuffix("Q8_0.gguf") })
        let g = try Generator(path: KitFixtures.root + "/" + ref.model)
        let r = try g.generate(GenerateRequest(input: .tokens(Self.greedy.prompt), maxTokens: 4, stopAtEndOfTurn: false,
                                               activations: .q8))
        #expect(r.ids == Array(ref.ids.prefix(4)))
        #expect(r.activations == .q8)
    }

    @Test("logits with q8 activations: every position, close to the reference, not equal to it")
    func q8Logits() throws {
        let r = try ModelRunner(path: KitFixtures.llamaQ8)
        let ids = Self.greedy.prompt
        let f32 = try r.logits(ids), q8 = try r.logits(ids, activations: .q8)
        #expect(q8.positions == ids.count && q8.vocab == f32.vocab)
        var worst: Float = 0, scale: Float = 0
        for (a, b) in zip(f32.values, q8.values) { worst = max(worst, abs(a - b)); scale = max(scale, abs(a)) }
        #expect(worst > 0 && worst < 0.05 * scale)
        // The f32 path is unchanged by having run the q8 one.
        #expect(try r.logits(ids).values == f32.values)
    }

    @Test("a seed reproduces a sampled run; another seed gives another")
    func seededSampling() throws {
        let g = try Generator(path: KitFixtures.llama)
        func run(_ seed: UInt64) throws -> [Int] {
            try g.generate(GenerateRequest(input: .tokens(Self.greedy.prompt), maxTokens: 16,
                                           sampling: SamplingOptions(temperature: 1.5, seed: seed), stopAtEndOfTurn: false)).ids
        }
        let a = try run(7)
        #expect(try run(7) == a)
        #expect(try run(8) != a)
    }

    @Test("top-k 1 and a tiny top-p are greedy whatever the temperature")
    func truncationIsGreedy() throws {
        let g = try Generator(path: KitFixtures.llama)
        let greedy = try g.generate(GenerateRequest(input: .tokens(Self.greedy.prompt), maxTokens: 8, stopAtEndOfTurn: false)).ids
        for s in [SamplingOptions(temperature: 5, topK: 1, seed: 3), SamplingOptions(temperature: 5, topP: 1e-9, seed: 3),
                  SamplingOptions(temperature: 5, minP: 0.999_999, seed: 3)] {
            #expect(try g.generate(GenerateRequest(input: .tokens(Self.greedy.prompt), maxTokens: 8, sampling: s,
                                                   stopAtEndOfTurn: false)).ids == greedy)
        }
    }

    @Test("the sampler follows its rules on a known distribution")
    func samplerRules() {
        // Logits for 4 tokens: a repeat penalty of 1e9 on token 0 (positive logit divided) makes token 1 win.
        var s = Sampler(SamplingOptions(repeatPenalty: 1e9))
        #expect(s.next([5, 4, 1, 0], history: [0]) == 1)
        // A negative logit is multiplied: token 1 (−1) falls below token 2 (−1.5) under penalty 2.
        var n = Sampler(SamplingOptions(repeatPenalty: 2))
        #expect(n.next([-3, -1, -1.5, -9], history: [1]) == 2)
        // Top-k 2 at a high temperature never draws tokens 2 or 3.
        var k = Sampler(SamplingOptions(temperature: 100, topK: 2, seed: 1))
        let draws = (0..<200).map { _ in k.next([3, 2, 1, 0], history: []) }
        #expect(Set(draws) == [0, 1])
    }

    @Test("generation stops at a stop token, which is in the ids but not the text")
    func stopsAtStopToken() throws {
        let g = try Generator(path: KitFixtures.llama)
        let ref = try g.generate(GenerateRequest(input: .tokens(Self.greedy.prompt), maxTokens: 12, stopAtEndOfTurn: false))
        let stopAt = ref.ids[5]
        let first = try #require(ref.ids.firstIndex(of: stopAt))
        var request = GenerateRequest(input: .tokens(Self.greedy.prompt), maxTokens: 12, stopAtEndOfTurn: false)
        request.extraStopTokenIDs = [stopAt]
        let r = try g.generate(request)
        #expect(r.finishReason == .stop)
        #expect(r.ids == Array(ref.ids[...first]))
        let text = try #require(try ModelRunner(path: KitFixtures.llama).text)
        #expect(r.text == (try text.decode(Array(ref.ids[..<first]))))
    }

    @Test("generation stops when the context is full")
    func stopsAtContext() throws {
        let runner = try ModelRunner(path: KitFixtures.llama)
        let g = Generator(runner: runner)
        let r = try g.generate(GenerateRequest(input: .tokens(Self.greedy.prompt), maxTokens: 100_000, stopAtEndOfTurn: false))
        #expect(r.finishReason == .context)
        #expect(r.promptIDs.count + r.ids.count == runner.maxPositions + 1)  // the last token is sampled, not run
        #expect(throws: PipelineError.sequenceTooLong(tokens: runner.maxPositions, maxPositions: runner.maxPositions)) {
            try g.generate(GenerateRequest(input: .tokens([Int](repeating: 1, count: runner.maxPositions))))
        }
    }

    @Test("the model's end-of-turn tokens come from its metadata")
    func stopTokensFromMetadata() throws {
        let text = try #require(try ModelRunner(path: KitFixtures.llama).text)
        // The fixture tokenizer has ChatML's <|im_end|> (id 2) as a special token, and <|endoftext|> as eos.
        #expect(text.stopTokenIDs.contains(2))
        let q8 = try #require(try ModelRunner(path: KitFixtures.llamaQ8).text)
        #expect(q8.stopTokenIDs.contains(2))
    }

    @Test("streamed pieces concatenate to the full decode and never split a character")
    func streamingIsUTF8Safe() throws {
        let tok = try Tokenizer(jsonBytes: Array(try Data(contentsOf: URL(fileURLWithPath: KitFixtures.root + "/fixtures/text/gpt2.tokenizer.json"))))
        let text = "Prices: 12€ · 🎉 日本語のテキスト — naïve café ✓"
        let ids = tok.encode(text, addSpecialTokens: false).ids
        var stream = TextStream(tokenizer: tok)
        var pieces: [String] = []
        for id in ids { pieces.append(stream.push(id)) }
        pieces.append(stream.finish())
        #expect(pieces.joined() == tok.decode(ids))
        #expect(pieces.allSatisfy { !$0.contains("\u{FFFD}") })
        #expect(pieces.filter { !$0.isEmpty }.count > 3)
    }

    @Test("bad requests are refused with the library's sentence")
    func badRequests() throws {
        let g = try Generator(path: KitFixtures.llama)
        #expect(throws: PipelineError.badMaxTokens(0)) {
            try g.generate(GenerateRequest(input: .tokens([1]), maxTokens: 0))
        }
        #expect(throws: PipelineError.badSampling("top-p must be in (0, 1]")) {
            try g.generate(GenerateRequest(input: .tokens([1]), sampling: SamplingOptions(topP: 0)))
        }
        #expect(throws: PipelineError.tokenOutsideVocabulary(token: 999, vocab: 320)) {
            try g.generate(GenerateRequest(input: .tokens([999])))
        }
        #expect(throws: PipelineError.encoderCannotGenerate(path: KitFixtures.bert)) {
            try Generator(path: KitFixtures.bert).generate(GenerateRequest(input: .tokens([1])))
        }
    }

    @Test("a chat goes through the model's template")
    func chatUsesTemplate() throws {
        let g = try Generator(path: KitFixtures.llama)
        let ids = try g.promptIDs(.chat(user: "Hi!", system: nil))
        let text = try #require(try ModelRunner(path: KitFixtures.llama).text)
        let rendered = try text.prompt(messages: [.object(JSONObject([("role", .string("user")), ("content", .string("Hi!"))]))])
        #expect(ids == rendered.encoding.ids)
        let r = try g.generate(GenerateRequest(input: .chat(user: "Hi!", system: "Be brief."), maxTokens: 3))
        let withSystem = try text.prompt(messages: [
            .object(JSONObject([("role", .string("system")), ("content", .string("Be brief."))])),
            .object(JSONObject([("role", .string("user")), ("content", .string("Hi!"))])),
        ])
        #expect(r.promptIDs == withSystem.encoding.ids)
        #expect(withSystem.text.contains("Be brief."))
    }
}
