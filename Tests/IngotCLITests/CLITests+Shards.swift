import Foundation
import Testing

/// Sharded outputs from the command line: a job array's parts as separate processes, `ingot index`, the scheduler
/// environment variables, and the usage errors of the sharding options.
extension CLITests {
    /// Starts `ingot` without waiting (for parts running side by side).
    func start(_ args: [String], environment: [String: String] = [:]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func shardFiles(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    @Test func partsRunInParallelProcessesMatchOneProcess() throws {
        let one = tempDir(), many = tempDir()
        let common = [hf, "--max-shard-size", "30kB", "--compress", "zstd"]
        #expect(try ingot(["convert"] + common + ["-o", one + "/model.ingot"]).status == 0)
        // Three parts at once, two of them taking their index from a scheduler's variable as a job array would.
        let procs = [
            try start(["convert"] + common + ["-o", many + "/model.ingot", "--part", "1/3"]),
            try start(["convert"] + common + ["-o", many + "/model.ingot", "--part", "env/3"], environment: ["JOB_COMPLETION_INDEX": "1"]),
            try start(["convert"] + common + ["-o", many + "/model.ingot", "--part", "env/3"],
                      environment: ["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "5"]),
        ]
        for p in procs { p.waitUntilExit() }
        #expect(procs.allSatisfy { $0.terminationStatus == 0 })
        let indexed = try ingot(["index", many, "--json"])
        #expect(indexed.status == 0, "\(indexed.stderr)")
        #expect(indexed.stdout.contains("\"index\""))
        #expect(shardFiles(one) == shardFiles(many))
        for f in shardFiles(one) {
            #expect(FileManager.default.contents(atPath: one + "/" + f) == FileManager.default.contents(atPath: many + "/" + f), "\(f)")
        }
        let check = try ingot(["check", many])
        #expect(check.status == 0 && check.stdout.contains("shards"), "\(check.stdout)\(check.stderr)")
    }

    @Test func indexOfIncompletePartsNamesTheMissingShard() throws {
        let d = tempDir()
        #expect(try ingot(["convert", hf, "--max-shard-size", "30kB", "-o", d + "/model.ingot", "--part", "1/2"]).status == 0)
        let r = try ingot(["index", d])
        #expect(r.status == 1)
        #expect(r.stderr.contains("of-0") && r.stderr.contains("is missing"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func shardOptionsNeedEachOther() throws {
        let out = tempDir() + "/m.ingot"
        try expectUsageError(["convert", hf, "-o", out, "--part", "1/2"], "--part and --resume need --max-shard-size")
        try expectUsageError(["convert", hf, "-o", out, "--resume"], "--part and --resume need --max-shard-size")
        try expectUsageError(["convert", hf, "-o", out, "--max-shard-size", "5XB"], "is not a size")
        try expectUsageError(["convert", hf, "-o", out, "--max-shard-size", "1MB", "--part", "3/2"], "is not K/N")
        try expectUsageError(["convert", hf, "-o", tempDir() + "/", "--format", "ingot"], "--format ingot needs --max-shard-size")
    }

    @Test func partFromAnUnsetSchedulerVariableIsAUsageError() throws {
        let r = try ingot(["convert", hf, "-o", tempDir() + "/m.ingot", "--max-shard-size", "30kB", "--part", "env/2"],
                          environment: ["JOB_COMPLETION_INDEX": nil, "SLURM_ARRAY_TASK_ID": nil])
        #expect(r.status == 64)
        #expect(r.stderr.contains("neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set"), "\(r.stderr)")
    }

    @Test func aDirectoryOfIngotShardsAndASplitGGUFFromTheCommandLine() throws {
        let d = tempDir()
        let r = try ingot(["convert", hf, "-o", d + "/", "--format", "ingot", "--max-shard-size", "100kB", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(shardFiles(d).contains("model.ingot.index.json"))
        #expect(try ingot(["inspect", d]).status == 0)
        let g = tempDir()
        #expect(try ingot(["convert", d, "-o", g + "/m.gguf", "--max-shard-size", "100kB"]).status == 0)
        let first = shardFiles(g).first ?? ""
        #expect(first.hasPrefix("m-00001-of-"))
        let diff = try ingot(["diff", hf, g + "/" + first])
        #expect(diff.status == 0 && diff.stdout.contains("identical"), "\(diff.stdout)\(diff.stderr)")
    }
}
