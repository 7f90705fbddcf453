#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The stored storage records whose CRC-32 has already been checked, by local header offset. Many tensors can be
/// views of one storage (tied weights, fused QKV slices, flat parameter buffers); checking the whole record on
/// every `load` would cost the record's size per tensor, so it is checked once and later loads slice the mapping.
///
/// `@unchecked Sendable`: the set is only touched under the mutex, which lives on the heap so its address is stable.
final class PyTorchVerifiedRecords: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var offsets = Set<Int>()

    init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func contains(_ offset: Int) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return offsets.contains(offset)
    }

    func insert(_ offset: Int) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        offsets.insert(offset)
    }
}
