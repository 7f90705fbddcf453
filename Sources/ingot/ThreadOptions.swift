import ArgumentParser
import IngotFormat
import IngotKit

/// `--threads` for the commands that run a model, checked once here. Unset, a command runs on one thread (logits,
/// embed, verify: the figures they print are bit-reproducible for a given count) or on every core (generate).
struct ThreadOptions: ParsableArguments {
    @Option(help: "Threads for the forward pass (BLAS and the decoding kernels), 1…256.") var threads: Int?

    func validate() throws {
        let r = ModelRunner.threadRange
        guard let threads else { return }
        guard r.contains(threads) else { throw ValidationError("--threads must be in \(r.lowerBound)…\(r.upperBound) (got \(threads))") }
    }

    /// The count given, else `fallback` (capped at the range).
    func count(default fallback: Int = 1) -> Int {
        threads ?? min(max(fallback, ModelRunner.threadRange.lowerBound), ModelRunner.threadRange.upperBound)
    }
}
