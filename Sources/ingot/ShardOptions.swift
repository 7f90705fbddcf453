import ArgumentParser
import IngotFormat
import IngotKit
#if canImport(Glibc)
import Glibc
#endif

/// `--max-shard-size 5GB`: decimal units as Hugging Face reads them, binary ones (GiB) as powers of 1024.
struct ShardSize {
    let bytes: Int

    init(parsing s: String) throws {
        guard let b = parseByteSize(s) else { throw ValidationError("--max-shard-size: \(quoted(s)) is not a size such as 5GB, 500MB or 2GiB") }
        bytes = b
    }
}

/// `--part K/N`, or `env/N` for a job array whose scheduler sets the index: a Kubernetes Indexed Job's
/// `JOB_COMPLETION_INDEX` (0-based) or a Slurm array's `SLURM_ARRAY_TASK_ID` (counted from `SLURM_ARRAY_TASK_MIN`).
struct PartOption {
    let text: String

    init(parsing s: String) throws {
        guard s.hasPrefix("env/") ? Int(s.dropFirst(4)).map({ $0 >= 1 }) == true : ConvertPart(parsing: s) != nil else {
            throw ValidationError("--part: \(quoted(s)) is not K/N with 1 ≤ K ≤ N (or env/N)")
        }
        text = s
    }

    func resolved(environment: [String: String] = PartOption.environment()) throws -> ConvertPart {
        guard text.hasPrefix("env/"), let n = Int(text.dropFirst(4)) else {
            guard let p = ConvertPart(parsing: text) else { throw ValidationError("--part: bad value \(quoted(text))") }
            return p
        }
        let k: Int
        if let i = environment["JOB_COMPLETION_INDEX"].flatMap({ Int($0) }) {
            k = i + 1
        } else if let i = environment["SLURM_ARRAY_TASK_ID"].flatMap({ Int($0) }) {
            k = i - (environment["SLURM_ARRAY_TASK_MIN"].flatMap { Int($0) } ?? 0) + 1
        } else {
            throw ValidationError("--part env/\(n): neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set")
        }
        guard let p = ConvertPart(parsing: "\(k)/\(n)") else {
            throw ValidationError("--part env/\(n): the job index gives part \(k), outside 1…\(n)")
        }
        return p
    }

    static func environment() -> [String: String] {
        var env: [String: String] = [:]
        for key in ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN"] {
            if let v = getenv(key) { env[key] = String(cString: v) }
        }
        return env
    }
}

enum DirectoryFormat: String, ExpressibleByArgument, CaseIterable {
    case ingot, gguf, hf

    var outputFormat: OutputFormat {
        switch self {
        case .ingot: .ingot
        case .gguf: .gguf
        case .hf: .hfDirectory
        }
    }
}

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Write the index of a sharded .ingot model whose parts were converted separately.",
        discussion: """
            Reads every shard's header (model-00001-of-0000N.ingot …), checks that all N are there, of one plan and \
            numbered right, and writes model.ingot.index.json beside them. ingot check DIR then proves every checksum.
            """)

    @Argument(help: "The directory holding the shards.") var directory: String
    @Option(help: "The shards' name stem (default: the one model in the directory).") var stem: String?
    @Flag(help: "Replace an existing index.") var force = false
    @OptionGroup var show: OutputOptions

    func run() throws {
        show.print(try ShardIndexer.index(directory: directory, stem: stem, overwrite: force))
    }
}

extension ShardIndexer.Report: Rendered {
    var text: String {
        "\(index): \(shards.count) shards, \(tensors) tensors, \(Fmt.bytes(bytes))"
    }
}
