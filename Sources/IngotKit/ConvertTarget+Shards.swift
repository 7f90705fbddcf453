import IngotFormat
import IngotInterop
#if canImport(Glibc)
import Glibc
#endif

/// A view of a source limited to some of its tensors (the shards one part writes): the write loop loads nothing
/// else, so a part reads only the source files its tensors live in.
final class SubsetSource: TensorSource {
    let base: any TensorSource
    let descriptors: [TensorDescriptor]

    init(_ base: any TensorSource, keeping names: Set<ExactKey>) {
        self.base = base
        descriptors = base.descriptors.filter { names.contains(ExactKey($0.name)) }
    }

    var path: String { base.path }
    var formatName: String { base.formatName }
    var metadata: JSONObject { base.metadata }
    func load(_ name: String) throws -> TensorBuffer { try base.load(name) }
    func storage(of d: TensorDescriptor) -> StorageInfo { base.storage(of: d) }
    func evict(_ name: String) { base.evict(name) }
    var warnings: [String] { base.warnings }
    var sourceFiles: [(shown: String, path: String)] { base.sourceFiles }
    func sourceFile(of name: String) -> String? { base.sourceFile(of: name) }
}

extension OutputFormat {
    /// A sharded .ingot output: the tensors cut by `ShardPlan` at the request's shard size, each shard an Ingot file
    /// stamped with its number and the plan; the first also carries the model's metadata. Each shard's provenance
    /// names the source files its tensors came from. A whole run ends by writing the index (`ShardIndexer`); a part
    /// writes its shards only. With `resume`, shards already complete are kept.
    func makeShardedIngotTarget(for request: ConvertRequest, source src: any TensorSource, maxBytes: Int,
                                transform: @escaping (TensorDescriptor) throws -> (TensorLayout, TensorBuffer, ConvertReport.Row?))
        throws -> ConvertTarget
    {
        let out = ShardedOutput(output: request.output, format: .ingot)
        let layouts = try src.descriptors.map { try Converter.plannedLayout($0, request: request) }
        let plan = try withPath(request.output) { try ShardPlan(sizes: layouts.map(\.byteCount), maxBytes: maxBytes) }
        let planID = Self.planID(src.descriptors.map(\.name), layouts, plan)
        let count = plan.shards.count
        let stamp = { (i: Int) in ShardStamp(number: i + 1, count: count, plan: planID, maxBytes: maxBytes, index: out.indexName) }

        var selected = Array(plan.shards.indices)
        if let part = request.part {
            let owner = plan.partOfShard(parts: part.count)
            selected = selected.filter { owner[$0] == part.index - 1 }
        }
        var warnings: [String] = []
        var kept: [Int] = []
        for i in selected where access(out.path(i, of: count), F_OK) == 0 {
            let p = out.path(i, of: count)
            if request.resume {
                try Self.proveComplete(p, stamp: stamp(i))
                kept.append(i)
            } else if !request.overwrite {
                throw PipelineError.outputExists(path: p)
            }
        }
        if !kept.isEmpty { warnings.append("kept \(kept.count) complete shard(s) from an earlier run (--resume)") }
        selected.removeAll { kept.contains($0) }
        let whole = request.part == nil || request.part?.count == 1
        if whole, !request.overwrite, access(out.indexPath, F_OK) == 0 { throw PipelineError.outputExists(path: out.indexPath) }

        if !selected.isEmpty { try out.makeDirectory() }
        var keep = Set<ExactKey>()
        for i in selected { for t in plan.shards[i].tensors { keep.insert(ExactKey(src.descriptors[t].name)) } }
        let tensors = SubsetSource(src, keeping: keep)
        let names = src.descriptors.map(\.name)
        let hashes = Provenance.HashCache()
        let options = request.provenanceOptions
        let writer = ShardedWriter(path: out.indexPath, plan: plan, names: names, selected: selected, open: { i in
            var meta = i == 0 ? src.metadata : JSONObject()
            meta[ShardStamp.key] = stamp(i).json
            return try IngotWriter(path: out.path(i, of: count), options: IngotWriter.Options(compression: request.compression), metadata: meta)
        }, beforeShardFinish: { i, w in
            guard let w = w as? IngotWriter else { return }
            let shardNames = plan.shards[i].tensors.map { names[$0] }
            let p = Provenance.plan(source: src, tensors: shardNames)
            w.metadata["ingot.provenance"] = try Provenance.make(p, version: IngotVersion.string, options: options, cache: hashes)
        }, afterAll: {
            if whole { _ = try ShardIndexer.write(dir: out.dir.isEmpty ? "./" : out.dir, stem: out.stem, count: count, overwrite: true) }
        })
        let files = selected.map { out.path($0, of: count) } + (whole ? [out.indexPath] : [])
        if let part = request.part, selected.isEmpty, kept.isEmpty {
            warnings.append("part \(part) has no shards: the model cuts into \(count)")
        }
        return ConvertTarget(writer: writer, tensors: tensors, produce: transform, warnings: warnings, files: files)
    }

    /// The plan's identity: every tensor's name and planned layout, and where the cuts fall. Two runs — or two parts
    /// on two machines — with the same source and options get the same id; anything else gets another.
    static func planID(_ names: [String], _ layouts: [TensorLayout], _ plan: ShardPlan) -> String {
        var text = "ingot-shards/1 max=\(plan.maxBytes)\n"
        for (i, n) in names.enumerated() {
            let l = layouts[i]
            text += "\(n)\t\(l.dtype.rawValue)\t\(l.shape)\t\(l.groupSize ?? 0)\t\(plan.shardOfTensor[i])\n"
        }
        return XXH3.hexString(XXH3.hash(Array(text.utf8)))
    }

    /// A shard an earlier run left is kept only whole: the same plan and number, and every tensor's checksum proven.
    static func proveComplete(_ path: String, stamp: ShardStamp) throws {
        let f = try IngotFile(path: path)
        guard ShardStamp(metadata: f.metadata) == stamp else {
            throw FileError(path: path, ShardError.wrongShard(expected: stamp.label, found: ShardStamp(metadata: f.metadata)?.label ?? "not a shard"))
        }
        for t in f.tensors { _ = try withPath(path) { try f.verify(t) } }
    }
}
