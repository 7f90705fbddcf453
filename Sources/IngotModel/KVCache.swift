
/// Keys and values of every position seen so far, per layer, [capacity, kv_heads·head_dim] row-major.
/// Keys are stored after rotary embedding, so a decoding step only rotates its own key.
final class KVCache {
    let width: Int
    let keys: [ScratchBuffer]
    let values: [ScratchBuffer]
    private(set) var capacityRows = 0

    init(layers: Int, width: Int) {
        self.width = width
        keys = (0..<layers).map { _ in ScratchBuffer() }
        values = (0..<layers).map { _ in ScratchBuffer() }
    }

    /// Room for `rows` positions, keeping the first `filled`; grows geometrically (capped at `limit`) so that
    /// decoding token by token reallocates O(log n) times.
    func reserve(rows: Int, filled: Int, limit: Int) {
        guard rows > capacityRows else { return }
        let target = min(max(rows, 2 * capacityRows, 64), max(limit, rows))
        for b in keys + values { b.reserve(target * width, preserving: filled * width) }
        capacityRows = target
    }
}
