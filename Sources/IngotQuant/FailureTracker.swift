#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lowest-numbered chunks known so far to hold a non-finite value or an overflowing group, shared by the
/// workers of one quantization so they can skip work whose result can no longer be reported. Skipping only ever
/// drops chunks *after* a known failure of the same or higher precedence, so the error finally reported (the
/// first non-finite element if there is any, else the first overflowing group) is the same for any thread count.
///
/// `@unchecked Sendable`: every access to the two fields holds `lock`.
final class FailureTracker: @unchecked Sendable {
    private var nonFiniteChunk = Int.max
    private var overflowChunk = Int.max
    private var lock = pthread_mutex_t()

    init() { pthread_mutex_init(&lock, nil) }
    deinit { pthread_mutex_destroy(&lock) }

    /// What chunk `c` still needs: nothing (a non-finite value lies in an earlier chunk), only the finiteness scan
    /// (some failure is already known, so its blocks will be discarded), or everything.
    func need(_ c: Int) -> (scan: Bool, quantize: Bool) {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return (c < nonFiniteChunk, nonFiniteChunk == Int.max && c < overflowChunk)
    }

    func nonFinite(in c: Int) {
        pthread_mutex_lock(&lock)
        nonFiniteChunk = min(nonFiniteChunk, c)
        pthread_mutex_unlock(&lock)
    }

    func overflow(in c: Int) {
        pthread_mutex_lock(&lock)
        overflowChunk = min(overflowChunk, c)
        pthread_mutex_unlock(&lock)
    }
}
