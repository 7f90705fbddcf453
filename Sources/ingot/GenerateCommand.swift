import ArgumentParser
import IngotFormat
import IngotKit
import IngotModel
#if canImport(Glibc)
import Glibc
#endif

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Generate text with the reference forward pass (greedy unless --temperature > 0).",
        discussion: """
            Streams the text to stdout as it is produced and stops at the model's end-of-sequence / end-of-turn
            tokens or after --max-tokens. Timings go to stderr. Sampling, when --temperature > 0, applies the repeat
            penalty, top-k, temperature, top-p and min-p in that order; --seed reproduces a run exactly.
            """)

    @Argument(help: "A model: Hugging Face directory, .ingot, .gguf, …") var model: String
    @Option(help: "A plain-text prompt (the tokenizer adds BOS if the model uses one).") var prompt: String?
    @Option(help: "A user message, sent through the model's chat template.") var chat: String?
    @Option(help: "A system message for --chat.") var system: String?
    @Option(help: "A conversation JSON file (an array of {role, content}, or {\"messages\": [...]}).") var messages: String?
    @Option(help: "Prompt token ids, comma separated (models without a tokenizer).", transform: TokenSequences.parse)
    var tokens: [Int]?
    @Option(help: "Generate at most this many tokens.") var maxTokens = 256
    @Option(help: "Sampling temperature; 0 is greedy.") var temperature = 0.0
    @Option(help: "Keep only the K most likely tokens (0: all).") var topK = 0
    @Option(help: "Keep the most likely tokens up to this cumulative probability.") var topP = 1.0
    @Option(help: "Drop tokens less likely than this fraction of the top token's probability.") var minP = 0.0
    @Option(help: "Divide the logits of recent tokens by this (1: off).") var repeatPenalty = 1.0
    @Option(help: "How many recent tokens the repeat penalty looks at.") var repeatLastN = 64
    @Option(help: "Random seed for sampling (default: a fresh one, printed with --json).") var seed: UInt64?
    @Flag(help: "Do not stop at end-of-sequence / end-of-turn tokens.") var ignoreEOS = false
    @Option(help: ArgumentHelp(
        "How decoding multiplies block-quantized weights: q8 (activations rounded to 8 bits as llama.cpp does: per 32, per 256 for K-quants; fast for q8_0/q4_0/q4_1) or f32 (the reference math, as verify uses).",
        valueName: "q8|f32"))
    var activations: DecodeActivations = .q8
    @OptionGroup var threads: ThreadOptions
    @OptionGroup var show: OutputOptions

    var sampling: SamplingOptions {
        SamplingOptions(temperature: temperature, topK: topK, topP: topP, minP: minP, repeatPenalty: repeatPenalty,
                        repeatLastN: repeatLastN, seed: seed ?? UInt64.random(in: 0...UInt64.max))
    }

    func validate() throws {
        let given = [prompt != nil, chat != nil, messages != nil, tokens != nil].filter { $0 }.count
        if given != 1 { throw ValidationError("give exactly one of --prompt, --chat, --messages and --tokens") }
        if system != nil, chat == nil { throw ValidationError("--system goes with --chat") }
        if !GenerateRequest.maxTokenRange.contains(maxTokens) {
            throw ValidationError("--max-tokens must be in \(GenerateRequest.maxTokenRange.lowerBound)…\(GenerateRequest.maxTokenRange.upperBound) (got \(maxTokens))")
        }
        if let why = sampling.problem { throw ValidationError(why) }
    }

    func run() throws {
        let input: GenerateRequest.Input
        if let prompt { input = .text(prompt) }
        else if let chat { input = .chat(user: chat, system: system) }
        else if let messages { input = .messages(try TextInput.conversation(messages).messages) }
        else { input = .tokens(tokens ?? []) }
        let generator = try Generator(path: model, threads: threads.count(default: Parallel.cpuCount))
        let request = GenerateRequest(input: input, maxTokens: maxTokens, sampling: sampling, stopAtEndOfTurn: !ignoreEOS,
                                      activations: activations)
        let report = try generator.generate(request) { piece in
            guard !show.json else { return }
            writeStdout(piece)
        }
        if show.json { return print(report.json.description) }
        if !report.text.hasSuffix("\n") { writeStdout("\n") }
        writeStderr(Self.timings(report) + "\n")
    }

    static func timings(_ r: GenerateReport) -> String {
        let f = Fmt.fixed
        return "prompt: \(r.promptIDs.count) tokens in \(f(r.promptSeconds, 3)) s (\(f(r.promptTokensPerSecond, 1)) tokens/s); "
            + "generated \(r.ids.count) tokens, \(r.decodeSteps) steps in \(f(r.decodeSeconds, 3)) s "
            + "(\(f(r.decodeTokensPerSecond, 1)) tokens/s, \(r.simd), \(r.activations.rawValue) activations); finish: \(r.finishReason.rawValue)"
    }
}

extension DecodeActivations: ExpressibleByArgument {}
