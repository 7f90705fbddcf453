
/// A growable f32 allocation owned by a `Workspace` or `KVCache`: the forward pass reuses these across calls so a
/// decoding step allocates nothing but its result. Raw pointers instead of `[Float]` keep the kernels free of
/// nested `withUnsafeMutableBufferPointer` calls and exclusivity checks.
final class ScratchBuffer {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = capacity
        pointer = .allocate(capacity: max(capacity, 1))
        pointer.initialize(repeating: 0, count: max(capacity, 1))
    }

    deinit { pointer.deallocate() }

    /// Makes room for `count` floats. `preserving` leading floats are copied over when the buffer moves.
    func reserve(_ count: Int, preserving: Int = 0) {
        guard count > capacity else { return }
        let grown = max(count, capacity + capacity / 2)
        let p = UnsafeMutablePointer<Float>.allocate(capacity: grown)
        p.initialize(repeating: 0, count: grown)
        if preserving > 0 { p.update(from: pointer, count: min(preserving, capacity)) }
        pointer.deallocate()
        pointer = p
        capacity = grown
    }
}
