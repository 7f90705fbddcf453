import IngotFormat
import IngotInterop
#if canImport(Glibc)
import Glibc
#endif

/// Where a sharded output's files go: `dir/stem-00001-of-0000N.ext` and, for Ingot and safetensors, an index beside
/// them. `-o out/model.ingot` gives stem `model` in `out/`; a directory output gives stem `model`.
struct ShardedOutput {
    /// "" or a path ending in "/".
    let dir: String
    let stem: String
    let ext: String

    init(output: String, format: OutputFormat) {
        let isDir = output.hasSuffix("/") || isDirectory(output)
        ext = format == .hfDirectory ? "safetensors" : format.rawValue
        if isDir {
            dir = output.hasSuffix("/") ? output : output + "/"
            stem = "model"
        } else {
            dir = ShardedIngotFile.directory(of: output)
            let base = String(output.dropFirst(dir.count))
            stem = base.hasSuffix("." + ext) ? String(base.dropLast(ext.count + 1)) : base
        }
    }

    func fileName(_ shard: Int, of count: Int) -> String { ShardPlan.fileName(stem: stem, number: shard + 1, count: count, ext: ext) }
    func path(_ shard: Int, of count: Int) -> String { dir + fileName(shard, of: count) }
    /// `model.ingot.index.json`, `model.safetensors.index.json`.
    var indexName: String { "\(stem).\(ext).index.json" }
    var indexPath: String { dir + indexName }

    /// Creates the directory (and its parents) when absent.
    func makeDirectory() throws {
        if !dir.isEmpty { _ = try HFDirectoryWriter.makeDirectory(String(dir.dropLast())) }
    }
}

/// Which part of a job array this process is: part `index` (1-based) of `count`, as `--part K/N` says.
public struct ConvertPart: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `K/N` with 1 ≤ K ≤ N ≤ `ShardPlan.maxShards`.
    public init?(parsing s: String) {
        let p = s.split(separator: "/", omittingEmptySubsequences: false)
        guard p.count == 2, let k = Int(p[0]), let n = Int(p[1]), k >= 1, k <= n, n <= ShardPlan.maxShards else { return nil }
        self.init(index: k, count: n)
    }

    public var description: String { "\(index)/\(count)" }
}
