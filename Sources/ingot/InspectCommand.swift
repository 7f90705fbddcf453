import ArgumentParser
import IngotKit

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a file's tensors, sizes, compression and metadata.")

    @Argument(help: "A .ingot, .safetensors, .npy or .npz file.") var file: String
    @Flag(help: "Add per-tensor min/max/mean/std and NaN/Inf counts (reads every tensor).") var stats = false
    @OptionGroup var show: OutputOptions

    func run() throws {
        let report = try ProgressLine.during("stats") { try InspectReport.inspect(path: file, stats: stats, progress: $0) }
        for w in report.warnings { warn(PipelineWarning(file: file, message: w)) }
        show.print(report)
    }
}
