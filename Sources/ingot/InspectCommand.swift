import ArgumentParser
import IngotFormat
import IngotInterop

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a file's tensors, sizes, compression and metadata.")

    @Argument(help: "A .ingot, .safetensors, .npy or .npz file.") var file: String
    @Flag(help: "Print JSON for scripts.") var json = false
    @Flag(help: "Add per-tensor min/max/mean/std and NaN/Inf counts (reads every tensor).") var stats = false

    func run() throws {
        let source = try openModelSource(path: file)
        let report = try InspectReport(source: source, stats: stats)
        print(json ? report.json().description : report.text())
    }
}
