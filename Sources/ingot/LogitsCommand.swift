import ArgumentParser
import IngotKit
import IngotModel

struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logits", abstract: "Run the reference forward pass: top-5 next tokens per position, or all logits as .npy.")

    @Argument(help: "A model: Hugging Face directory, .ingot, .gguf, …") var model: String
    @OptionGroup var input: InputOptions
    @Option(name: .shortAndLong, help: "Write the f32 logits [T, vocab] to this .npy file.") var output: String?
    @Flag(help: "Overwrite the output file if it exists.") var force = false
    @Option(help: ArgumentHelp(
        "f32: the reference (the whole sequence at once); q8: token by token with activations rounded to 8 bits for block-quantized weights, the arithmetic llama.cpp uses.",
        valueName: "f32|q8"))
    var activations: DecodeActivations = .f32
    @OptionGroup var threads: ThreadOptions
    @OptionGroup var show: OutputOptions

    func run() throws {
        let runner = try ModelRunner(path: model, threads: threads.count())
        let ids = try input.ids(runner).ids
        let report = try ProgressLine.during("logits") { try runner.run(ids, activations: activations, progress: $0) }
        guard let output else { return show.print(report) }
        try report.writeNpy(to: output, overwrite: force)
        print("wrote \(output): logits [\(report.logits.positions), \(report.logits.vocab)]")
    }
}
