#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs parsing and rendering on a thread of its own with a known, large stack.
///
/// Templates recurse (nested expressions, blocks, macro calls); the caps in `TemplateLimits` bound how deep,
/// but how much stack each level takes depends on the build (a debug build's frames are ~5× a release build's)
/// and the caller's thread may have as little as 512 KiB (secondary threads on macOS). A dedicated thread
/// makes the bound hold everywhere: one level of `TemplateLimits.maxDepth` takes up to ~14 KiB in a debug build
/// (~3 KiB in release), so the default caps need under 8 MiB. The stack is reserved virtual memory; only the
/// pages actually used are committed.
enum LargeStack {
    /// 64 MiB, or 32 KiB per level of evaluation depth when a caller raises `maxDepth` past 2048.
    static func bytes(maxDepth: Int) -> Int { max(64 << 20, min(maxDepth, 1 << 16) * (32 << 10)) }

    /// What the thread runs. `@unchecked Sendable`: the caller blocks in `pthread_join` while the thread runs,
    /// so whatever the job writes is read by the caller only after the join.
    private final class Job: @unchecked Sendable {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }

    private final class ResultBox<T>: @unchecked Sendable {
        var value: T?
    }

    /// `body()` on a fresh thread with a `bytes` stack; inline when no thread can be created (then the caller's
    /// stack must do, as it would without this helper).
    static func run<T: Sendable>(bytes: Int, _ body: @escaping @Sendable () -> T) -> T {
        let box = ResultBox<T>()
        var attributes = pthread_attr_t()
        guard pthread_attr_init(&attributes) == 0 else { return body() }
        defer { pthread_attr_destroy(&attributes) }
        guard pthread_attr_setstacksize(&attributes, bytes) == 0 else { return body() }
        let context = Unmanaged.passRetained(Job { box.value = body() }).toOpaque()
        #if canImport(Darwin)
        var thread: pthread_t?
        let started = pthread_create(&thread, &attributes, { raw in
            Unmanaged<Job>.fromOpaque(raw).takeRetainedValue().work()
            return nil
        }, context)
        #else
        var thread = pthread_t()
        let started = pthread_create(&thread, &attributes, { raw in
            if let raw { Unmanaged<Job>.fromOpaque(raw).takeRetainedValue().work() }
            return nil
        }, context)
        #endif
        guard started == 0 else {
            Unmanaged<Job>.fromOpaque(context).release()
            return body()
        }
        #if canImport(Darwin)
        if let thread { pthread_join(thread, nil) }
        #else
        pthread_join(thread, nil)
        #endif
        return box.value ?? body()
    }
}
