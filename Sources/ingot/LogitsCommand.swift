import ArgumentParser
import IngotFormat
import IngotInterop

struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logits", abstract: "Run the reference forward pass: top-5 next tokens per position, or all logits as .npy.")

    @Argument(help: "A model: Hugging Face directory, .ingot, .gguf, …") var model: String
    @Option(help: "Token ids, comma separated.") var tokens: String
    @Option(name: .shortAndLong, help: "Write the f32 logits [T, vocab] to this .npy file.") var output: String?
    @Option(help: "BLAS threads (results are deterministic for a given count).") var threads: Int = 1

    func run() throws {
        let ids = try parseTokens(tokens)
        let runner = try ModelRunner(path: model, threads: threads)
        let logits = try runner.logits(ids)
        if let output {
            try NpyWriter.writeFloat32(path: output, shape: [logits.positions, logits.vocab], values: logits.values)
            print("wrote \(output): logits [\(logits.positions), \(logits.vocab)]")
            return
        }
        var t = TextTable(["pos", "token", "top-5 next tokens (logit)"], right: [0, 1])
        for i in 0..<logits.positions {
            let row = Array(logits.row(i))
            let top = row.indices.sorted { row[$0] > row[$1] }.prefix(5).map { "\($0) (\(Fmt.fixed(Double(row[$0]), 3)))" }
            t.rows.append([String(i), String(ids[i]), top.joined(separator: "  ")])
        }
        print(t.render())
    }
}
