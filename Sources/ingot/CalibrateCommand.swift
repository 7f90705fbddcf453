import ArgumentParser
import IngotFormat
import IngotInterop
import IngotKit

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate", abstract: "Collect an importance matrix (llama-imatrix's) from calibration text.",
        discussion: """
            Runs the reference forward pass over the text in windows of --ctx tokens and sums, for every weight matrix \
            of the layer stack, each input column's squared activation. The file is llama.cpp's: GGUF (.gguf, \
            .imatrix or any other name) or the legacy layout (.dat); `convert --quantize … --imatrix FILE` and \
            llama-quantize both read it.
            """)

    @Argument(help: "A decoder model: Hugging Face directory, .ingot, .gguf, …") var model: String
    @Option(help: "Calibration text (tokenized with the model's tokenizer).") var text: String?
    @Option(help: "Token ids instead of text: one window per line.") var tokenFile: String?
    @Option(help: "Tokens per window (default 512, at most the model's context).") var ctx: Int = 512
    @Option(help: "Use at most this many windows.") var chunks: Int?
    @Option(name: .shortAndLong, help: "The importance-matrix file to write (.dat: legacy layout, else GGUF).") var output: String
    @Flag(help: "Overwrite the output file if it exists.") var force = false
    @OptionGroup var threads: ThreadOptions
    @OptionGroup var show: OutputOptions

    func validate() throws {
        guard (text == nil) != (tokenFile == nil) else { throw ValidationError("give exactly one of --text and --token-file") }
        guard VerifyRequest.contextRange.contains(ctx) else { throw ValidationError("--ctx must be in \(VerifyRequest.contextRange)") }
        if let chunks, chunks < 1 { throw ValidationError("--chunks must be at least 1") }
    }

    func run() throws {
        let request = CalibrateRequest(model: model, textFile: text, tokenFile: tokenFile, context: ctx, maxChunks: chunks,
                                       threads: threads.count(default: Parallel.cpuCount))
        let report = try ProgressLine.during("calibrate") { try Calibrator.calibrate(request, progress: $0) }
        try report.write(to: output, format: ImatrixFormat(path: output), overwrite: force)
        show.print(report)
    }
}

extension CalibrateReport: Rendered {
    var text: String {
        "calibrated \(model) on \(dataset): \(chunks) chunks, \(tokens) tokens; \(imatrix.entries.count) matrices → wrote the importance matrix"
    }
}
