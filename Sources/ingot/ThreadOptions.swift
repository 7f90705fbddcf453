import ArgumentParser
import IngotKit

/// `--threads` for the commands that run a model, checked once here.
struct ThreadOptions: ParsableArguments {
    @Option(help: "BLAS threads, 1…256 (results are deterministic for a given count).") var threads: Int = 1

    func validate() throws {
        let r = ModelRunner.threadRange
        guard r.contains(threads) else { throw ValidationError("--threads must be in \(r.lowerBound)…\(r.upperBound) (got \(threads))") }
    }
}
