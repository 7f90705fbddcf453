/// Open-addressing map from byte strings to Int32, looked up with a pointer and a length (no String, no
/// allocation): vocabularies are probed once per candidate token in the hot loops.
struct ByteStringTable: Sendable {
    private var arena: [UInt8] = []
    private var keyStart: [Int32] = []
    private var keyLength: [Int32] = []
    private(set) var values: [Int32] = []
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        slots = [Int32](repeating: -1, count: n)
        mask = n - 1
        arena.reserveCapacity(capacity * 6)
        keyStart.reserveCapacity(capacity)
        keyLength.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    var count: Int { values.count }

    @inline(__always) static func hash(_ p: UnsafeRawPointer?, _ n: Int) -> Int {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        guard let p else { return Int(truncatingIfNeeded: h) }
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
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 32
        return Int(truncatingIfNeeded: h)
    }

    /// The value for the bytes, or nil.
    @inline(__always) func get(_ p: UnsafeRawPointer?, _ n: Int) -> Int32? {
        var s = Self.hash(p, n) & mask
        return slots.withUnsafeBufferPointer { slot in
            arena.withUnsafeBufferPointer { a in
                while true {
                    let e = Int(slot[s])
                    if e < 0 { return nil }
                    if Int(keyLength[e]) == n,
                        n == 0 || (a.baseAddress.map { memcmpBytes($0 + Int(keyStart[e]), p, n) } ?? false)
                    {
                        return values[e]
                    }
                    s = (s + 1) & mask
                }
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
        if count * 2 >= slots.count { grow() }
        var s = Self.hash(bytes.baseAddress, bytes.count) & mask
        while true {
            let e = Int(slots[s])
            if e < 0 { break }
            if Int(keyLength[e]) == bytes.count && arena[Int(keyStart[e])..<(Int(keyStart[e]) + bytes.count)].elementsEqual(bytes) {
                let old = values[e]
                values[e] = value
                return old
            }
            s = (s + 1) & mask
        }
        slots[s] = Int32(values.count)
        keyStart.append(Int32(arena.count))
        keyLength.append(Int32(bytes.count))
        arena.append(contentsOf: bytes)
        values.append(value)
        return nil
    }

    @discardableResult mutating func set(_ bytes: [UInt8], _ value: Int32) -> Int32? {
        bytes.withUnsafeBytes { set($0, value) }
    }

    /// Every key with its value, in insertion order.
    func forEach(_ body: (UnsafeBufferPointer<UInt8>, Int32) -> Void) {
        arena.withUnsafeBufferPointer { a in
            for e in 0..<values.count {
                body(UnsafeBufferPointer(rebasing: a[Int(keyStart[e])..<Int(keyStart[e] + keyLength[e])]), values[e])
            }
        }
    }

    private mutating func grow() {
        let n = slots.count * 2
        slots = [Int32](repeating: -1, count: n)
        mask = n - 1
        arena.withUnsafeBytes { a in
            for e in 0..<values.count {
                var s = Self.hash(a.baseAddress.map { $0 + Int(keyStart[e]) }, Int(keyLength[e])) & mask
                while slots[s] >= 0 { s = (s + 1) & mask }
                slots[s] = Int32(e)
            }
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

/// Merge ranks keyed by a pair of token ids packed into a UInt64: rank and new id packed in the value.
struct PairTable: Sendable {
    private var keys: [UInt64]
    private var vals: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        keys = [UInt64](repeating: 0, count: n)
        vals = [UInt64](repeating: 0, count: n)
        mask = n - 1
    }

    @inline(__always) private static func key(_ a: Int32, _ b: Int32) -> UInt64 {
        (UInt64(UInt32(bitPattern: a)) + 1) << 32 | (UInt64(UInt32(bitPattern: b)) + 1)
    }

    @inline(__always) private static func slot(_ k: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
    }

    /// (rank, new id) of merging `a` then `b`.
    @inline(__always) func get(_ a: Int32, _ b: Int32) -> (rank: UInt32, id: Int32)? {
        let k = Self.key(a, b)
        var s = Self.slot(k, mask)
        return keys.withUnsafeBufferPointer { ks in
            while true {
                let x = ks[s]
                if x == k {
                    let v = vals[s]
                    return (UInt32(truncatingIfNeeded: v >> 32), Int32(truncatingIfNeeded: v))
                }
                if x == 0 { return nil }
                s = (s + 1) & mask
            }
        }
    }

    /// A later merge of the same pair replaces the earlier one (tokenizers builds its map the same way).
    mutating func set(_ a: Int32, _ b: Int32, rank: UInt32, id: Int32) {
        if count * 2 >= keys.count { grow() }
        let k = Self.key(a, b)
        var s = Self.slot(k, mask)
        while keys[s] != 0 && keys[s] != k { s = (s + 1) & mask }
        if keys[s] == 0 { count += 1 }
        keys[s] = k
        vals[s] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: id))
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldVals = vals
        let n = keys.count * 2
        keys = [UInt64](repeating: 0, count: n)
        vals = [UInt64](repeating: 0, count: n)
        mask = n - 1
        for (i, k) in oldKeys.enumerated() where k != 0 {
            var s = Self.slot(k, mask)
            while keys[s] != 0 { s = (s + 1) & mask }
            keys[s] = k
            vals[s] = oldVals[i]
        }
    }
}
