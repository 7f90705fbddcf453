import IngotFormat

/// Byte-pair encoding as tokenizers' `BPE` model does it: characters (or, behind ByteLevel, raw bytes) become
/// symbols, unknown ones fall back to `<0xNN>` byte tokens or the unk token, then merges apply lowest rank first
/// (leftmost on ties) from a heap over a linked list of symbols, so a word of n symbols costs O(n log n).
final class BPEModel: Sendable {
    struct Options: Sendable {
        var unkToken: String? = nil
        var fuseUnk = false
        var byteFallback = false
        var ignoreMerges = false
        var continuingSubwordPrefix: String? = nil
        var endOfWordSuffix: String? = nil
    }

    let vocab: Vocabulary
    /// Behind ByteLevel the model sees raw bytes; a byte's symbol is its ByteLevel character's UTF-8.
    private let spelled: [[UInt8]]
    /// The id of each byte's symbol alone (no prefix or suffix), -1 when absent.
    private let byteSymbols: [Int32]
    private let merges: PairTable
    private let options: Options
    private let unkID: Int32?
    /// `<0xNN>` ids, -1 where absent.
    private let byteTokens: [Int32]
    private let byteLevel: Bool
    private let prefixBytes: [UInt8]
    private let suffixBytes: [UInt8]
    private let cache = WordCache()

    init(vocab: Vocabulary, merges: MergeList, options: Options, byteLevel: Bool) throws(TokenizerError) {
        self.vocab = vocab
        self.options = options
        self.byteLevel = byteLevel
        if let unk = options.unkToken {
            guard let id = vocab.id(unk) else { throw .badModel("unk_token \(quoted(unk)) is not in the vocabulary") }
            unkID = id
        } else {
            unkID = nil
        }
        var bytes = [Int32](repeating: -1, count: 256)
        for b in 0..<256 { bytes[b] = vocab.id(String(format2: UInt8(b))) ?? -1 }
        byteTokens = bytes
        // Merges resolve through the tokens' own strings; a merge naming an unknown token is an error, as in
        // tokenizers.
        let prefixLength = options.continuingSubwordPrefix?.utf8.count ?? 0
        var table = PairTable(capacity: merges.count)
        var merged: [UInt8] = []
        var guess: Int32 = -1
        for rank in 0..<merges.count {
            let a = merges.left(rank)
            let b = merges.right(rank)
            guard let ia = a.withUnsafeBytes({ vocab.table.get($0.baseAddress, $0.count) }) else {
                throw .badModel("merge \(rank + 1) names \(quoted(String(decoding: a, as: UTF8.self))), not in the vocabulary")
            }
            guard let ib = b.withUnsafeBytes({ vocab.table.get($0.baseAddress, $0.count) }) else {
                throw .badModel("merge \(rank + 1) names \(quoted(String(decoding: b, as: UTF8.self))), not in the vocabulary")
            }
            merged.removeAll(keepingCapacity: true)
            merged.append(contentsOf: a)
            merged.append(contentsOf: b.dropFirst(prefixLength))
            // Trained vocabularies list merge results in merge order: try the id after the last result before
            // hashing (a byte comparison of a token the array walk has in cache).
            if var t = vocab.token(guess + 1), t.withUTF8({ Self.same($0, merged) }) {
                guess += 1
                table.set(ia, ib, rank: UInt32(rank), id: guess)
                continue
            }
            guard let id = vocab.table.get(merged) else {
                throw .badModel("merge \(rank + 1) makes \(quoted(String(decoding: merged, as: UTF8.self))), not in the vocabulary")
            }
            table.set(ia, ib, rank: UInt32(rank), id: id)
            guess = id
        }
        self.merges = table
        prefixBytes = Array((options.continuingSubwordPrefix ?? "").utf8)
        suffixBytes = Array((options.endOfWordSuffix ?? "").utf8)
        let spelled = (0..<256).map { b in byteLevel ? Array(ByteLevelAlphabet.encode([UInt8(b)]).utf8) : [UInt8(b)] }
        self.spelled = spelled
        byteSymbols = spelled.map { vocab.table.get($0) ?? -1 }
    }

    private static func same(_ u: UnsafeBufferPointer<UInt8>, _ b: [UInt8]) -> Bool {
        guard u.count == b.count else { return false }
        guard let a = u.baseAddress else { return true }
        return b.withUnsafeBytes { memcmpBytes(a, $0.baseAddress, u.count) }
    }

    /// Appends (id, length in model bytes) pairs for one word.
    func tokenize(_ p: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, into out: inout [Int32]) {
        let n = hi - lo
        guard n > 0, let base = p.baseAddress else { return }
        let word = UnsafeRawPointer(base + lo)
        if cache.lookup(word, n, into: &out) { return }
        let start = out.count
        // ignore_merges: a word that is a token is that token (checked after the cache, which gives the same).
        if options.ignoreMerges, let id = wholeWord(UnsafeBufferPointer(start: base + lo, count: n)) {
            out.append(id)
            out.append(Int32(n))
        } else {
            mergeWord(UnsafeBufferPointer(start: base + lo, count: n), into: &out)
        }
        cache.store(word, n, out[start...])
    }

    private func wholeWord(_ w: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard byteLevel else { return vocab.table.get(UnsafeRawPointer(w.baseAddress), w.count) }
        var key: [UInt8] = []
        key.reserveCapacity(w.count * 2)
        for b in w { key.append(contentsOf: spelled[Int(b)]) }
        return vocab.table.get(key)
    }

    /// Initial symbols (tokenizers' `merge_word`) then the merge loop (`Word::merge_all`).
    private func mergeWord(_ w: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) {
        var ids: [Int32] = []
        var lens: [Int32] = []
        ids.reserveCapacity(w.count)
        lens.reserveCapacity(w.count)
        var pendingUnk: (Int32, Int32)? = nil
        var key: [UInt8] = []
        var i = 0
        while i < w.count {
            let len = byteLevel ? 1 : UTF8Scan.length(lead: w[i])
            let end = min(i + len, w.count)
            defer { i = end }
            var found: Int32? = nil
            if byteLevel && (i == 0 || prefixBytes.isEmpty) && (end < w.count || suffixBytes.isEmpty) {
                let id = byteSymbols[Int(w[i])]
                found = id >= 0 ? id : nil
                if found == nil { key = spelled[Int(w[i])] }
            } else {
                key.removeAll(keepingCapacity: true)
                if i > 0 { key.append(contentsOf: prefixBytes) }
                if byteLevel { key.append(contentsOf: spelled[Int(w[i])]) } else { key.append(contentsOf: w[i..<end]) }
                if end == w.count { key.append(contentsOf: suffixBytes) }
                found = vocab.table.get(key)
            }
            if let id = found {
                if let u = pendingUnk {
                    ids.append(u.0)
                    lens.append(u.1)
                    pendingUnk = nil
                }
                ids.append(id)
                lens.append(Int32(end - i))
                continue
            }
            if options.byteFallback {
                // The fallback spells the symbol's string (its UTF-8, as the vocabulary writes it) byte by byte.
                if key.allSatisfy({ byteTokens[Int($0)] >= 0 }) {
                    for b in key {
                        ids.append(byteTokens[Int(b)])
                        lens.append(1)
                    }
                    continue
                }
            }
            guard let unk = unkID else { continue }
            if let u = pendingUnk {
                if options.fuseUnk {
                    pendingUnk = (u.0, u.1 + Int32(end - i))
                    continue
                }
                ids.append(u.0)
                lens.append(u.1)
            }
            pendingUnk = (unk, Int32(end - i))
        }
        if let u = pendingUnk {
            ids.append(u.0)
            lens.append(u.1)
        }
        mergeAll(&ids, &lens)
        for k in 0..<ids.count where lens[k] > 0 {
            out.append(ids[k])
            out.append(lens[k])
        }
    }

    private func mergeAll(_ c: inout [Int32], _ len: inout [Int32]) {
        let n = c.count
        guard n > 1 else { return }
        var prev = (0..<n).map { Int32($0) - 1 }
        var next = (0..<n).map { $0 + 1 < n ? Int32($0 + 1) : -1 }
        var heap = MergeHeap()
        for k in 0..<(n - 1) {
            if let m = merges.get(c[k], c[k + 1]) { heap.push(rank: m.rank, pos: Int32(k), id: m.id) }
        }
        while let top = heap.pop() {
            let pos = Int(top.pos)
            if len[pos] == 0 || next[pos] == -1 { continue }
            let right = Int(next[pos])
            guard let m = merges.get(c[pos], c[right]), m.id == top.id else { continue }  // stale entry
            c[pos] = top.id
            len[pos] += len[right]
            next[pos] = next[right]
            len[right] = 0
            if next[right] >= 0 { prev[Int(next[right])] = Int32(pos) }
            if prev[pos] >= 0, let m = merges.get(c[Int(prev[pos])], c[pos]) {
                heap.push(rank: m.rank, pos: prev[pos], id: m.id)
            }
            if next[pos] >= 0, let m = merges.get(c[pos], c[Int(next[pos])]) {
                heap.push(rank: m.rank, pos: Int32(pos), id: m.id)
            }
        }
    }
}

extension BPEModel {
    /// The plain quadratic BPE (merge the lowest-ranked adjacent pair, leftmost first, until none is left) over a
    /// byte-level word: the reference the heap is tested against.
    func referenceTokenize(_ word: [UInt8]) -> [Int] {
        var ids = word.map { byteSymbols[Int($0)] }
        while true {
            var best: (rank: UInt32, at: Int, id: Int32)? = nil
            for k in 0..<max(0, ids.count - 1) {
                if let m = merges.get(ids[k], ids[k + 1]), m.rank < (best?.rank ?? .max) { best = (m.rank, k, m.id) }
            }
            guard let b = best else { return ids.map(Int.init) }
            ids[b.at] = b.id
            ids.remove(at: b.at + 1)
        }
    }
}

/// Min-heap of pending merges ordered by (rank, position), as tokenizers orders its queue.
struct MergeHeap {
    struct Entry {
        var key: UInt64  // rank << 32 | position
        var id: Int32
        var pos: Int32 { Int32(truncatingIfNeeded: key & 0xFFFF_FFFF) }
    }
    private var items: [Entry] = []

    mutating func push(rank: UInt32, pos: Int32, id: Int32) {
        items.append(Entry(key: UInt64(rank) << 32 | UInt64(UInt32(bitPattern: pos)), id: id))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[parent].key <= items[i].key { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let last = items.popLast() else { return nil }
        guard !items.isEmpty else { return last }
        let top = items[0]
        items[0] = last
        var i = 0
        let n = items.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var m = l
            if l + 1 < n && items[l + 1].key < items[l].key { m = l + 1 }
            if items[i].key <= items[m].key { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}

extension String {
    /// `<0xNN>`, the byte-fallback token for a byte.
    init(format2 b: UInt8) {
        let hex = Array("0123456789ABCDEF".utf8)
        self = String(decoding: [0x3C, 0x30, 0x78, hex[Int(b >> 4)], hex[Int(b & 15)], 0x3E], as: UTF8.self)
    }
}
