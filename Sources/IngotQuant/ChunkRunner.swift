import Dispatch

/// Runs independent chunks of work on a few threads. Chunk boundaries are fixed by the caller (never by the thread
/// count) and every chunk writes only its own output and its own result slot, so results are identical for any
/// number of threads.
enum ChunkRunner {
    /// Calls `body(chunk, worker)` for every chunk in `0..<count`, on `min(threads, count)` workers; worker `w` runs
    /// chunks w, w + workers, ... in order, so per-worker scratch (indexed by `worker`) is never shared.
    static func run(_ count: Int, threads: Int, _ body: (_ chunk: Int, _ worker: Int) -> Void) {
        let workers = workerCount(count, threads: threads)
        if workers <= 1 {
            for c in 0..<count { body(c, 0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let work = ChunkBody(body: body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var c = w
                while c < count {
                    work.body(c, w)
                    c += workers
                }
            }
        }
    }

    static func workerCount(_ count: Int, threads: Int) -> Int { max(1, min(threads, count)) }
}

/// The closure one parallel run calls. `@unchecked Sendable`: it is an immutable `let`, called concurrently only
/// with distinct chunk indices (disjoint outputs) and distinct worker indices (disjoint scratch); the caller reads
/// the outputs after `run` returns.
private struct ChunkBody: @unchecked Sendable {
    let body: (Int, Int) -> Void
}
