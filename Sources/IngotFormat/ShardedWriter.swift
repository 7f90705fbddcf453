/// Writes one model as the shards of a `ShardPlan`, each through its own `TensorFileWriter` (Ingot, safetensors or
/// GGUF): tensors arrive in plan order, a shard's writer is made when its first tensor arrives and finished — so the
/// file appears, atomically — before the next shard's begins. Memory stays at one tensor, as for one file.
///
/// `selected` limits the writer to some shards (one part of a job array, or the shards a resumed run still lacks):
/// the caller feeds only their tensors. `finish` then runs `afterAll` (the index, for a whole run). A shard already
/// put in place stays when a later one fails: it is complete and valid, and a `--resume` run keeps it.
///
/// `commitAtEnd` instead keeps every shard in its temp file until the last one is written, then puts them all in
/// place: for formats without a per-shard proof (safetensors, split GGUF), where a failure half-way through
/// replacing an older set would otherwise leave old and new shards side by side, undetectably.
public final class ShardedWriter: TensorFileWriter {
    /// Most shards `commitAtEnd` holds open at once (each is an open temp file: the descriptor limit is often 1024);
    /// a larger plan commits shard by shard.
    public static let maxHeldShards = 256

    /// The model's name for messages (the index file, or the output directory).
    public let path: String
    public let plan: ShardPlan
    /// Shard indices (0-based) this writer writes, in order.
    public let selected: [Int]
    private let tensorIndex: [ExactKey: Int]
    private let open: (Int) throws -> any TensorFileWriter
    private let beforeShardFinish: (Int, any TensorFileWriter) throws -> Void
    private let afterAll: () throws -> Void
    private let commitAtEnd: Bool
    private let selectedSet: Set<Int>
    private var current: (shard: Int, writer: any TensorFileWriter)?
    private var done = Set<Int>()
    /// Written shards waiting for `finish` (with `commitAtEnd`).
    private var pending: [any TensorFileWriter] = []

    /// `names`: the planned tensors in order (the plan's indices). `open(i)` makes shard i's writer;
    /// `beforeShardFinish(i, w)` runs just before shard i is finished (Ingot's provenance goes into the header then).
    public init(path: String, plan: ShardPlan, names: [String], selected: [Int]? = nil, commitAtEnd: Bool = false,
                open: @escaping (Int) throws -> any TensorFileWriter,
                beforeShardFinish: @escaping (Int, any TensorFileWriter) throws -> Void = { _, _ in },
                afterAll: @escaping () throws -> Void = {}) {
        self.path = path
        self.plan = plan
        self.selected = selected ?? Array(plan.shards.indices)
        selectedSet = Set(self.selected)
        self.commitAtEnd = commitAtEnd && plan.shards.count <= Self.maxHeldShards
        var idx = [ExactKey: Int](minimumCapacity: names.count)
        for (i, n) in names.enumerated() where idx[ExactKey(n)] == nil { idx[ExactKey(n)] = i }
        tensorIndex = idx
        self.open = open
        self.beforeShardFinish = beforeShardFinish
        self.afterAll = afterAll
    }

    public func append(_ d: TensorDescriptor, bytes: UnsafeRawBufferPointer) throws {
        guard let i = tensorIndex[ExactKey(d.name)], i < plan.shardOfTensor.count else {
            throw FileError(path: path, IngotError.noSuchTensor(d.name))
        }
        let s = plan.shardOfTensor[i]
        guard selectedSet.contains(s), !done.contains(s) else {
            throw FileError(path: path, IngotError.unsupported("tensor \(quoted(d.name)) of shard \(s + 1) arrived out of plan order"))
        }
        if current?.shard != s {
            try finishCurrent()
            current = (s, try open(s))
        }
        try current?.writer.append(d, bytes: bytes)
    }

    private func finishCurrent() throws {
        guard let (s, w) = current else { return }
        current = nil
        do { try beforeShardFinish(s, w) } catch {
            w.abort()
            throw error
        }
        if commitAtEnd { pending.append(w) } else { try w.finish() }
        done.insert(s)
    }

    public func finish() throws {
        try finishCurrent()
        // Shards without tensors (a tensorless model's one shard) still become files.
        for s in selected where !done.contains(s) && plan.shards[s].tensors.isEmpty {
            current = (s, try open(s))
            try finishCurrent()
        }
        if let missing = selected.first(where: { !done.contains($0) }) {
            abort()
            throw FileError(path: path, IngotError.unsupported("shard \(missing + 1) of \(plan.shards.count) received no tensors"))
        }
        while !pending.isEmpty {
            let w = pending.removeFirst()
            do { try w.finish() } catch {
                abort()
                throw error
            }
        }
        try afterAll()
    }

    public func abort() {
        current?.writer.abort()
        current = nil
        for w in pending { w.abort() }
        pending = []
    }
}
