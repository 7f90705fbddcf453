#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs parsing and rendering on a thread of its own whose stack is known to be deep enough.
///
/// Templates recurse (nested expressions, blocks, macro calls); the caps in `TemplateLimits` bound how deep,
/// but how much stack each level takes depends on the build, and the caller's thread may have as little as
/// 512 KiB (secondary threads on macOS). Measured at the caps, one level of `TemplateLimits.maxDepth` takes up to
/// ~14 KiB in a debug build and ~3 KiB in release; the budget below allows more than twice that. The stacks stay
/// under glibc's 40 MiB stack cache, so a render reuses one instead of mapping a new one (a thread then costs
/// tens of microseconds).
enum LargeStack {
    #if DEBUG
    private static let bytesPerLevel = 32 << 10
    #else
    private static let bytesPerLevel = 8 << 10
    #endif

    /// Stack a render with this evaluation depth cap needs, plus 1 MiB for the parser (whose nesting is capped
    /// by `TemplateLimits.maxParseDepth`) and the conversion of the inputs.
    static func bytes(maxDepth: Int) -> Int { min(max(maxDepth, 1), 1 << 16) * bytesPerLevel + (1 << 20) }

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
