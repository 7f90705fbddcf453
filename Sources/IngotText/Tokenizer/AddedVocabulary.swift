/// One entry of tokenizer.json's `added_tokens`.
public struct AddedToken: Sendable, Equatable {
    public var content: String
    public var singleWord = false
    public var lstrip = false
    public var rstrip = false
    public var normalized = true
    public var special = false

    public init(
        content: String, singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false,
        normalized: Bool = true, special: Bool = false
    ) {
        self.content = content
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
        self.special = special
    }
}

/// Added tokens, matched in the text before the model sees it (tokenizers' `AddedVocabulary`): tokens with
/// `normalized: false` on the original text, the others on the normalized text, leftmost-longest.
struct AddedVocabulary: Sendable {
    private(set) var byID: [Int32: AddedToken] = [:]
    /// Content → id.
    private(set) var ids: [String: Int32] = [:]
    /// The normalized form of normalized tokens when it differs (what decode prints for them).
    private var normalizedForm: [Int32: String] = [:]
    private(set) var specials: Set<String> = []
    private var rawTrie = ByteTrie()
    private var normalizedTrie = ByteTrie()

    var isEmpty: Bool { byID.isEmpty }
    var hasNormalizedTokens: Bool { !normalizedTrie.isEmpty }

    /// Adds tokens in order as tokenizers does: a token already in the vocabulary keeps its id, a new one gets the
    /// next id after the model's vocabulary. `normalize` gives a content's normalized form.
    mutating func add(_ tokens: [AddedToken], modelID: (String) -> Int32?, modelSize: Int, normalize: (String) -> String?) {
        var nextID = Int32(modelSize)
        if let maxID = byID.keys.max() { nextID = maxID >= Int32(modelSize) || modelSize == 0 ? maxID + 1 : Int32(modelSize) }
        for t in tokens where !t.content.isEmpty {
            if let id = ids[t.content], byID[id] == t { continue }
            let id: Int32
            if let known = ids[t.content] ?? modelID(t.content) {
                id = known
            } else {
                id = nextID
                nextID += 1
            }
            if t.normalized, let n = normalize(t.content), n != t.content { normalizedForm[id] = n }
            ids[t.content] = id
            if t.special { specials.insert(t.content) }
            byID[id] = t
        }
        rawTrie = ByteTrie()
        normalizedTrie = ByteTrie()
        for (id, t) in byID.sorted(by: { $0.key < $1.key }) {
            if t.normalized {
                normalizedTrie.insert(Array((normalizedForm[id] ?? t.content).utf8), id)
            } else {
                rawTrie.insert(Array(t.content.utf8), id)
            }
        }
    }

    /// The string decode uses for an added token's id.
    func string(for id: Int32) -> String? {
        guard let t = byID[id] else { return nil }
        return normalizedForm[id] ?? t.content
    }

    /// Splits a piece around matches: matched tokens become pieces with their id set.
    func split(_ piece: Piece, _ buf: TextBuffer, normalized: Bool, into out: inout [Piece]) {
        let trie = normalized ? normalizedTrie : rawTrie
        guard !piece.isEmpty else { return }
        if trie.isEmpty {
            out.append(piece)
            return
        }
        let lo = Int(piece.lo)
        let hi = Int(piece.hi)
        var startOffset = lo
        var i = lo
        buf.bytes.withUnsafeBufferPointer { p in
            while i < hi {
                guard let (id, end) = trie.longest(p, i, hi), let t = byID[id] else {
                    i += 1
                    continue
                }
                var start = i
                var stop = end
                i = end
                if t.singleWord {
                    let startSpace = start == lo || !Self.isWord(before: start, p, lo)
                    let stopSpace = stop == hi || !Self.isWord(at: stop, p)
                    if !startSpace || !stopSpace { continue }
                }
                if t.lstrip {
                    var s = start
                    // Stops at the previous match: tokenizers clamps to it anyway, and this keeps runs of
                    // matches linear.
                    while s > startOffset, let w = Self.whitespace(before: s, p, lo) { s -= w }
                    start = max(s, startOffset)
                }
                if t.rstrip {
                    while stop < hi, let w = Self.whitespace(at: stop, p) { stop += w }
                }
                if startOffset < start { out.append(piece.sub(startOffset, start, buf)) }
                var tok = buf.slice(start, stop)
                tok.token = id
                out.append(tok)
                startOffset = stop
            }
        }
        if startOffset < hi { out.append(piece.sub(startOffset, hi, buf)) }
    }

    private static func scalar(before i: Int, _ p: UnsafeBufferPointer<UInt8>, _ lo: Int) -> (UInt32, Int) {
        var s = i - 1
        while s > lo && p[s] & 0xC0 == 0x80 { s -= 1 }
        return UTF8Scan.decode(p, s)
    }

    private static func isWord(before i: Int, _ p: UnsafeBufferPointer<UInt8>, _ lo: Int) -> Bool {
        UnicodeTables.has(scalar(before: i, p, lo).0, CharClass.word)
    }

    private static func isWord(at i: Int, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        UnicodeTables.has(UTF8Scan.decode(p, i).0, CharClass.word)
    }

    private static func whitespace(before i: Int, _ p: UnsafeBufferPointer<UInt8>, _ lo: Int) -> Int? {
        let (c, n) = scalar(before: i, p, lo)
        return UnicodeTables.has(c, CharClass.whitespace) ? n : nil
    }

    private static func whitespace(at i: Int, _ p: UnsafeBufferPointer<UInt8>) -> Int? {
        let (c, n) = UTF8Scan.decode(p, i)
        return UnicodeTables.has(c, CharClass.whitespace) ? n : nil
    }
}

extension Piece {
    /// A sub-range [lo, hi) of this piece, sliced as tokenizers slices a NormalizedString.
    func sub(_ lo: Int, _ hi: Int, _ buf: TextBuffer) -> Piece { buf.slice(lo, hi) }
}

/// A byte trie for leftmost-longest matching of added tokens: O(length of the longest token) per position.
struct ByteTrie: Sendable {
    private var edges: [UInt64: Int32] = [:]  // (node << 8 | byte) → child
    private var terminal: [Int32: Int32] = [:]  // node → token id
    private var nodes: Int32 = 1
    /// Children of the root by byte (most positions fail on their first byte: one array load, no hashing).
    private var root = [Int32](repeating: -1, count: 256)
    var isEmpty: Bool { terminal.isEmpty }

    mutating func insert(_ key: [UInt8], _ id: Int32) {
        guard !key.isEmpty else { return }
        var node: Int32 = 0
        if root[Int(key[0])] < 0 {
            root[Int(key[0])] = nodes
            nodes += 1
        }
        node = root[Int(key[0])]
        if key.count == 1 { terminal[node] = id }
        for b in key.dropFirst() {
            let k = UInt64(node) << 8 | UInt64(b)
            if let child = edges[k] {
                node = child
            } else {
                edges[k] = nodes
                node = nodes
                nodes += 1
            }
        }
        terminal[node] = id
    }

    /// The longest token starting at `i`: its id and end.
    func longest(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ hi: Int) -> (Int32, Int)? {
        var node = root[Int(p[i])]
        guard node >= 0 else { return nil }
        var best: (Int32, Int)? = terminal[node].map { ($0, i + 1) }
        var j = i + 1
        while j < hi, let child = edges[UInt64(node) << 8 | UInt64(p[j])] {
            node = child
            j += 1
            if let id = terminal[node] { best = (id, j) }
        }
        return best
    }
}
