import IngotFormat
import IngotModel

/// Text generation with the reference forward pass: the prompt runs through the model at once (sgemm), then one
/// token per step against the key/value cache, each step multiplying the stored (possibly quantized) weights
/// directly. Tokens are chosen by a `Sampler`; text is released as it becomes final (`TextStream`).
///
/// Not thread-safe (it drives one `ModelRunner`).
public final class Generator {
    public let runner: ModelRunner

    public init(runner: ModelRunner) { self.runner = runner }

    public convenience init(path: String, threads: Int = 1) throws {
        self.init(runner: try ModelRunner(path: path, threads: threads))
    }

    /// The prompt's token ids: text through the tokenizer, chats through the model's chat template.
    public func promptIDs(_ input: GenerateRequest.Input) throws -> [Int] {
        let ids: [Int]
        switch input {
        case let .tokens(t): ids = t
        case let .text(s):
            guard let text = runner.text else { throw PipelineError.noTokenizer(path: runner.path) }
            ids = text.tokenizer.encode(s, addSpecialTokens: true).ids
        case let .chat(user, system):
            var messages: [JSONValue] = []
            if let system { messages.append(Self.message("system", system)) }
            messages.append(Self.message("user", user))
            ids = try chatIDs(messages)
        case let .messages(m): ids = try chatIDs(m)
        }
        guard !ids.isEmpty else { throw PipelineError.emptyPrompt }
        return ids
    }

    static func message(_ role: String, _ content: String) -> JSONValue {
        .object(JSONObject([("role", .string(role)), ("content", .string(content))]))
    }

    private func chatIDs(_ messages: [JSONValue]) throws -> [Int] {
        guard let text = runner.text else { throw PipelineError.noTokenizer(path: runner.path) }
        return try text.prompt(messages: messages, addGenerationPrompt: true).encoding.ids
    }

    /// Generates from `request`, calling `onText` with each piece of text as it becomes final.
    public func generate(_ request: GenerateRequest, onText: (String) -> Void = { _ in }) throws -> GenerateReport {
        if let why = request.sampling.problem { throw PipelineError.badSampling(why) }
        guard GenerateRequest.maxTokenRange.contains(request.maxTokens) else { throw PipelineError.badMaxTokens(request.maxTokens) }
        guard !runner.isEncoder else { throw PipelineError.encoderCannotGenerate(path: runner.path) }
        let prompt = try promptIDs(request.input)
        let vocab = runner.vocabSize
        if let bad = prompt.first(where: { $0 < 0 || $0 >= vocab }) {
            throw PipelineError.tokenOutsideVocabulary(token: bad, vocab: vocab)
        }
        guard prompt.count < runner.maxPositions else {
            throw PipelineError.sequenceTooLong(tokens: prompt.count, maxPositions: runner.maxPositions)
        }
        let stop = Set((request.stopAtEndOfTurn ? runner.text?.stopTokenIDs ?? [] : []) + request.extraStopTokenIDs)
        var stream = runner.text.map { TextStream(tokenizer: $0.tokenizer) }
        var sampler = Sampler(request.sampling)
        let model = runner.transformer
        model.decodeActivations = request.activations
        defer { model.decodeActivations = .f32 }
        let clock = ContinuousClock()

        let t0 = clock.now
        var logits = try withPath(runner.path) { try model.prefill(prompt, logitsFrom: prompt.count - 1).values }
        let promptTime = clock.now - t0

        var history = prompt, generated: [Int] = [], text = ""
        var finish = FinishReason.length, steps = 0
        let t1 = clock.now
        while true {
            let next = sampler.next(logits, history: history)
            generated.append(next)
            history.append(next)
            if stop.contains(next) { finish = .stop; break }
            if let piece = stream?.push(next), !piece.isEmpty {
                text += piece
                onText(piece)
            }
            if generated.count >= request.maxTokens { finish = .length; break }
            if model.position >= runner.maxPositions { finish = .context; break }
            logits = try withPath(runner.path) { try model.step(next) }
            steps += 1
        }
        let decodeTime = clock.now - t1
        if let rest = stream?.finish(), !rest.isEmpty {
            text += rest
            onText(rest)
        }
        return GenerateReport(model: runner.path, promptIDs: prompt, ids: generated, text: text, finishReason: finish,
                              sampling: request.sampling, promptSeconds: Self.seconds(promptTime), decodeSteps: steps,
                              decodeSeconds: Self.seconds(decodeTime), simd: SIMDLevel.selected.description,
                              activations: request.activations)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
