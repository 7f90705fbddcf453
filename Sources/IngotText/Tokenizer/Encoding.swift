/// The result of encoding: token ids, the tokens' strings, where each token came from (byte ranges in the input's
/// UTF-8; special tokens added by the post-processor have 0..<0) and the type id of each token (0 or 1 for a pair).
public struct Encoding: Sendable, Equatable {
    public var ids: [Int]
    public var tokens: [String]
    public var offsets: [Range<Int>]
    public var typeIds: [Int]

    public init(ids: [Int] = [], tokens: [String] = [], offsets: [Range<Int>] = [], typeIds: [Int] = []) {
        self.ids = ids
        self.tokens = tokens
        self.offsets = offsets
        self.typeIds = typeIds
    }

    public var count: Int { ids.count }

    static func special(_ ids: [Int], _ tokens: [String], typeID: Int) -> Encoding {
        Encoding(
            ids: ids, tokens: tokens, offsets: [Range<Int>](repeating: 0..<0, count: ids.count),
            typeIds: [Int](repeating: typeID, count: ids.count))
    }

    static func + (a: Encoding, b: Encoding) -> Encoding {
        Encoding(ids: a.ids + b.ids, tokens: a.tokens + b.tokens, offsets: a.offsets + b.offsets, typeIds: a.typeIds + b.typeIds)
    }

    /// Offsets counted in Unicode scalars of `text` instead of bytes, as the Python `tokenizers` package reports
    /// them (its converter: a start inside a character maps to that character, an end to the one after it).
    public func characterOffsets(in text: String) -> [Range<Int>] {
        var charIndex: [Int] = []  // byte → scalar index
        charIndex.reserveCapacity(text.utf8.count + 1)
        var n = 0
        for s in text.unicodeScalars {
            for _ in 0..<UTF8Scan.width(s.value) { charIndex.append(n) }
            n += 1
        }
        return offsets.map { r in
            guard r.lowerBound < charIndex.count else { return r }
            let start = charIndex[r.lowerBound]
            if r.upperBound < charIndex.count { return start..<max(start, charIndex[r.upperBound]) }
            let last = r.upperBound - 1 < charIndex.count ? charIndex[r.upperBound - 1] : start
            return start..<(last + 1)
        }
    }
}
