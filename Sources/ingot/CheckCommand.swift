import ArgumentParser
import IngotKit

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a file's layout and every checksum.",
        discussion: "Exit 0 when the file is sound; exit 1 naming the first bad tensor (or the header) otherwise.")

    @Argument(help: "The file to check (a sharded model: its index, its directory or any shard).") var file: String
    @OptionGroup var show: OutputOptions

    func run() throws {
        let report = try ProgressLine.during("check") { try CheckReport.check(path: file, progress: $0) }
        for w in report.warnings { warn(PipelineWarning(file: file, message: w)) }
        show.print(report)
    }
}
