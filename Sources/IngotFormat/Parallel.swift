import Dispatch
internal import CIngotKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum Parallel {
    /// CPUs this process may run on (at least 1): its affinity mask where the system has one — a Slurm allocation,
    /// a container's cpuset or `taskset` limit it, and a part of a job array pinned to one core must not start a
    /// thread per online CPU — else the online CPUs.
    public static var cpuCount: Int {
        let online = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let allowed = Int(ingot_allowed_cpus())
        return allowed > 0 ? min(allowed, online) : online
    }

    /// Workers a loop of `count` items uses on at most `threads` threads.
    public static func workerCount(_ count: Int, threads: Int) -> Int { max(1, min(threads, count)) }

    /// Calls `body(item, worker)` for every item in `0..<count` on `workerCount` threads; worker `w` runs items
    /// w, w + workers, … in order, so per-worker scratch (indexed by `worker`) is never shared. Item boundaries are
    /// the caller's, never the thread count's: each item writes only its own output, so results do not depend on the
    /// number of threads.
    public static func run(_ count: Int, threads: Int, _ body: (_ item: Int, _ worker: Int) -> Void) {
        let workers = workerCount(count, threads: threads)
        if workers <= 1 {
            for i in 0..<count { body(i, 0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let work = WorkerBody(body: body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var i = w
                while i < count {
                    work.body(i, w)
                    i += workers
                }
            }
        }
    }

    /// Like `run`, on the kernels' persistent pool (threads that spin briefly between jobs) instead of a dispatch
    /// queue: for fine-grained loops called hundreds of times a second (a prefill's products, its attention heads),
    /// where waking dispatch threads costs more than the work. Items are claimed one at a time, so a loop of uneven
    /// items balances itself; `worker` < `threads` indexes per-worker scratch.
    public static func pooled(_ count: Int, threads: Int, _ body: (_ item: Int, _ worker: Int) -> Void) {
        guard count > 0 else { return }
        if workerCount(count, threads: threads) <= 1 {
            for i in 0..<count { body(i, 0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var work = WorkerBody(body: body)
            withUnsafeMutablePointer(to: &work) { ctx in
                ingot_pool_for(count, Int32(clamping: threads), { ctx, item, worker in
                    guard let ctx else { return }
                    ctx.assumingMemoryBound(to: WorkerBody.self).pointee.body(item, Int(worker))
                }, ctx)
            }
        }
    }

    /// Like `run`, for throwing work: each worker makes its own `state` once (a codec context, a scratch buffer);
    /// the first error stops the remaining items and is rethrown.
    static func forEach<State>(
        _ count: Int, threads: Int, makeState: () throws -> State, _ body: (Int, State) throws -> Void
    ) throws {
        let box = ErrorBox()
        var states: [State?] = Array(repeating: nil, count: workerCount(count, threads: threads))
        states.withUnsafeMutableBufferPointer { slots in
            let slots = slots
            run(count, threads: threads) { i, w in
                guard !box.failed else { return }
                do {
                    if slots[w] == nil { slots[w] = try makeState() }
                    if let s = slots[w] { try body(i, s) }
                } catch {
                    box.set(error)
                }
            }
        }
        if let e = box.error { throw e }
    }
}

/// The closure one parallel loop runs. `@unchecked Sendable`: it is an immutable `let`, called concurrently only
/// with distinct items (disjoint outputs) and distinct workers (disjoint scratch); callers read the outputs after
/// the loop returns.
private struct WorkerBody: @unchecked Sendable {
    let body: (Int, Int) -> Void
}

/// The first error raised by any worker. `@unchecked Sendable`: every access to `first` holds `lock`.
public final class ErrorBox: @unchecked Sendable {
    private var first: (any Error)?
    private var lock = pthread_mutex_t()

    public init() { pthread_mutex_init(&lock, nil) }
    deinit { pthread_mutex_destroy(&lock) }

    public func set(_ e: any Error) {
        pthread_mutex_lock(&lock)
        if first == nil { first = e }
        pthread_mutex_unlock(&lock)
    }

    public var error: (any Error)? {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return first
    }

    public var failed: Bool { error != nil }
}
