import Synchronization

/// The items (tensors, zip records) whose checksum has already been proven, by index or offset. A model is read
/// many times — row lookups in an embedding table, tied weights, several views of one storage — and hashing the
/// whole item on every read would cost its size each time, so it is proven on the first whole read only.
public final class VerifiedSet: Sendable {
    private let ids = Mutex<Set<Int>>([])

    public init() {}

    public func contains(_ id: Int) -> Bool { ids.withLock { $0.contains(id) } }

    public func insert(_ id: Int) { _ = ids.withLock { $0.insert(id) } }
}
