/// BPE merges as byte ranges in one arena: a 150k-merge list costs one allocation, not 300k Strings.
struct MergeList: Sendable {
    var arena: [UInt8] = []
    /// Per merge: start and length of the left token, then of the right one.
    var parts: [Int32] = []

    var count: Int { parts.count / 4 }

    init() {}

    init(_ pairs: [(String, String)]) {
        for (a, b) in pairs { append(Array(a.utf8), Array(b.utf8)) }
    }

    mutating func append<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) {
        parts.append(Int32(arena.count))
        parts.append(Int32(a.count))
        arena.append(contentsOf: a)
        parts.append(Int32(arena.count))
        parts.append(Int32(b.count))
        arena.append(contentsOf: b)
    }

    /// Appends "a b" split at its only space; false unless there is exactly one (tokenizers' rule).
    mutating func appendSpaced(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let space = s.firstIndex(of: 0x20), !s[(space + 1)...].contains(0x20) else { return false }
        append(s[..<space], s[(space + 1)...])
        return true
    }

    func left(_ i: Int) -> ArraySlice<UInt8> { arena[Int(parts[4 * i])..<Int(parts[4 * i] + parts[4 * i + 1])] }
    func right(_ i: Int) -> ArraySlice<UInt8> { arena[Int(parts[4 * i + 2])..<Int(parts[4 * i + 2] + parts[4 * i + 3])] }
}
