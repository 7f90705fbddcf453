/// Open-addressing map from byte strings to Int32, looked up with a pointer and a length (no String, no
/// allocation): vocabularies are probed once per candidate token in the hot loops, and 450k times while a 150k
/// merge list is resolved. Each slot holds the key's first 8 bytes, so a lookup of a short key touches one cache
/// line; longer keys continue in an arena.
struct ByteStringTable: Sendable {
    private struct Slot {
        var tag: UInt32 = 0  // high hash bits | 1; 0 is empty
        var length: Int32 = 0
        var value: Int32 = 0
        var start: Int32 = 0  // of bytes 8… in the arena
        var head: UInt64 = 0  // bytes 0..<8, zero-padded
    }
    private var arena: [UInt8] = []
    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0
    /// The longest key's length: no longer byte string can be a key.
    private(set) var maxLength = 0

    init(capacity: Int) {
        var n = 16
        while n < capacity + capacity / 2 { n <<= 1 }
        slots = [Slot](repeating: Slot(), count: n)
        mask = n - 1
    }

    @inline(__always) static func hash(_ p: UnsafeRawPointer?, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        guard let p else { return h }
        var i = 0
        while i + 8 <= n {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << shift
            shift += 8
            i += 1
        }
        // murmur3's finalizer: every input bit reaches the low bits that pick the slot.
        h ^= tail
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    /// The first 8 bytes, zero-padded.
    @inline(__always) private static func head(_ p: UnsafeRawPointer?, _ n: Int) -> UInt64 {
        guard let p else { return 0 }
        if n >= 8 { return p.loadUnaligned(as: UInt64.self) }
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(i)) }
        return v
    }

    /// The value for the bytes, or nil.
    @inline(__always) func get(_ p: UnsafeRawPointer?, _ n: Int) -> Int32? {
        let h = Self.hash(p, n)
        let tag = UInt32(truncatingIfNeeded: h >> 32) | 1
        let head = Self.head(p, n)
        var s = Int(truncatingIfNeeded: h) & mask
        return slots.withUnsafeBufferPointer { slot in
            while true {
                let x = slot[s]
                if x.tag == 0 { return nil }
                if x.tag == tag && Int(x.length) == n && x.head == head {
                    if n <= 8 { return x.value }
                    let same = arena.withUnsafeBufferPointer { a in
                        a.baseAddress.map { memcmpBytes($0 + Int(x.start), p.map { $0 + 8 }, n - 8) } ?? false
                    }
                    if same { return x.value }
                }
                s = (s + 1) & mask
            }
        }
    }

    func get(_ bytes: [UInt8]) -> Int32? { bytes.withUnsafeBytes { get($0.baseAddress, $0.count) } }

    func get(_ s: String) -> Int32? {
        var s = s
        return s.withUTF8 { get(UnsafeRawPointer($0.baseAddress), $0.count) }
    }

    /// Inserts or replaces; returns the previous value.
    @discardableResult mutating func set(_ bytes: UnsafeRawBufferPointer, _ value: Int32) -> Int32? {
        if (count + 1) * 3 > slots.count * 2 { grow() }
        let n = bytes.count
        let h = Self.hash(bytes.baseAddress, n)
        let tag = UInt32(truncatingIfNeeded: h >> 32) | 1
        let head = Self.head(bytes.baseAddress, n)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let x = slots[s]
            if x.tag == 0 { break }
            if x.tag == tag && Int(x.length) == n && x.head == head
                && (n <= 8 || arena[Int(x.start)..<(Int(x.start) + n - 8)].elementsEqual(bytes[8...]))
            {
                slots[s].value = value
                return x.value
            }
            s = (s + 1) & mask
        }
        slots[s] = Slot(tag: tag, length: Int32(n), value: value, start: Int32(arena.count), head: head)
        if n > 8 { arena.append(contentsOf: bytes[8...]) }
        count += 1
        maxLength = max(maxLength, n)
        return nil
    }

    @discardableResult mutating func set(_ bytes: [UInt8], _ value: Int32) -> Int32? {
        bytes.withUnsafeBytes { set($0, value) }
    }

    /// Doubles the slots; keys are rehashed from their head and arena tail.
    private mutating func grow() {
        let old = slots
        let n = slots.count * 2
        slots = [Slot](repeating: Slot(), count: n)
        mask = n - 1
        var key: [UInt8] = []
        for x in old where x.tag != 0 {
            key.removeAll(keepingCapacity: true)
            withUnsafeBytes(of: x.head) { key.append(contentsOf: $0.prefix(min(8, Int(x.length)))) }
            if x.length > 8 { key.append(contentsOf: arena[Int(x.start)..<(Int(x.start) + Int(x.length) - 8)]) }
            let h = key.withUnsafeBytes { Self.hash($0.baseAddress, $0.count) }
            var s = Int(truncatingIfNeeded: h) & mask
            while slots[s].tag != 0 { s = (s + 1) & mask }
            slots[s] = x
        }
    }
}

@inline(__always) func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafeRawPointer?, _ n: Int) -> Bool {
    guard let b else { return n == 0 }
    let q = b.assumingMemoryBound(to: UInt8.self)
    var i = 0
    while i + 8 <= n {
        if UnsafeRawPointer(a).loadUnaligned(fromByteOffset: i, as: UInt64.self)
            != b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        {
            return false
        }
        i += 8
    }
    while i < n {
        if a[i] != q[i] { return false }
        i += 1
    }
    return true
}

/// Merge ranks keyed by a pair of token ids packed into a UInt64, rank and new id packed in the value; key and value
/// share a slot so a probe is one cache line.
struct PairTable: Sendable {
    private struct Slot {
        var key: UInt64 = 0  // 0 is empty
        var value: UInt64 = 0
    }
    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int) {
        var n = 16
        while n < capacity + capacity / 2 { n <<= 1 }
        slots = [Slot](repeating: Slot(), count: n)
        mask = n - 1
    }

    @inline(__always) private static func key(_ a: Int32, _ b: Int32) -> UInt64 {
        (UInt64(UInt32(bitPattern: a)) + 1) << 32 | (UInt64(UInt32(bitPattern: b)) + 1)
    }

    @inline(__always) private static func slot(_ k: UInt64, _ mask: Int) -> Int {
        var h = k &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    /// (rank, new id) of merging `a` then `b`.
    @inline(__always) func get(_ a: Int32, _ b: Int32) -> (rank: UInt32, id: Int32)? {
        let k = Self.key(a, b)
        var s = Self.slot(k, mask)
        return slots.withUnsafeBufferPointer { ss in
            while true {
                let x = ss[s]
                if x.key == k { return (UInt32(truncatingIfNeeded: x.value >> 32), Int32(truncatingIfNeeded: x.value)) }
                if x.key == 0 { return nil }
                s = (s + 1) & mask
            }
        }
    }

    /// A later merge of the same pair replaces the earlier one (tokenizers builds its map the same way).
    mutating func set(_ a: Int32, _ b: Int32, rank: UInt32, id: Int32) {
        if (count + 1) * 3 > slots.count * 2 { grow() }
        let k = Self.key(a, b)
        var s = Self.slot(k, mask)
        while slots[s].key != 0 && slots[s].key != k { s = (s + 1) & mask }
        if slots[s].key == 0 { count += 1 }
        slots[s] = Slot(key: k, value: UInt64(rank) << 32 | UInt64(UInt32(bitPattern: id)))
    }

    private mutating func grow() {
        let old = slots
        let n = slots.count * 2
        slots = [Slot](repeating: Slot(), count: n)
        mask = n - 1
        for x in old where x.key != 0 {
            var s = Self.slot(x.key, mask)
            while slots[s].key != 0 { s = (s + 1) & mask }
            slots[s] = x
        }
    }
}
