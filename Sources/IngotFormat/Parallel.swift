import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum Parallel {
    /// Online CPUs (at least 1).
    public static var cpuCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Runs `body(index, state)` for every index in `0..<count` on up to `threads` threads. Each thread makes its own
    /// `state` once (a codec context, a scratch buffer). The first error stops the remaining work and is rethrown.
    static func forEach<State>(
        _ count: Int, threads: Int, makeState: () throws -> State, _ body: (Int, State) throws -> Void
    ) throws {
        let workers = max(1, min(threads, count))
        if workers == 1 {
            guard count > 0 else { return }
            let s = try makeState()
            for i in 0..<count { try body(i, s) }
            return
        }
        let box = ErrorBox()
        withoutActuallyEscaping(makeState) { makeState in
            withoutActuallyEscaping(body) { body in
                let work = WorkerBody(makeState: makeState, body: body)
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    do {
                        let s = try work.makeState()
                        var i = w
                        while i < count, !box.failed {
                            try work.body(i, s)
                            i += workers
                        }
                    } catch {
                        box.set(error)
                    }
                }
            }
        }
        if let e = box.error { throw e }
    }
}

/// The closures one parallel loop runs. `@unchecked Sendable`: both are immutable `let`s, called concurrently only
/// with distinct indices; callers write each index's results to its own slot and read them after the loop returns.
private struct WorkerBody<State>: @unchecked Sendable {
    let makeState: () throws -> State
    let body: (Int, State) throws -> Void
}

/// The first error raised by any worker. `@unchecked Sendable`: every access to `first` holds `lock`.
final class ErrorBox: @unchecked Sendable {
    private var first: (any Error)?
    private var lock = pthread_mutex_t()

    init() { pthread_mutex_init(&lock, nil) }
    deinit { pthread_mutex_destroy(&lock) }

    func set(_ e: any Error) {
        pthread_mutex_lock(&lock)
        if first == nil { first = e }
        pthread_mutex_unlock(&lock)
    }

    var error: (any Error)? {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return first
    }

    var failed: Bool { error != nil }
}
