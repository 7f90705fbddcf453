import IngotFormat

/// tokenizers' `WordPiece` model: greedy longest match from the left, `##` on continuing pieces, and one unk token
/// for a word that cannot be covered or has more than `maxInputCharsPerWord` characters.
final class WordPieceModel: Sendable {
    let vocab: Vocabulary
    private let unkID: Int32
    private let prefix: [UInt8]
    private let maxChars: Int

    init(vocab: Vocabulary, unkToken: String, prefix: String, maxInputCharsPerWord: Int) throws(TokenizerError) {
        guard let unk = vocab.id(unkToken) else {
            throw .badModel("unk_token \(quoted(unkToken)) is not in the vocabulary")
        }
        self.vocab = vocab
        unkID = unk
        self.prefix = Array(prefix.utf8)
        maxChars = maxInputCharsPerWord
    }

    /// Appends (id, length in bytes) pairs for one word.
    func tokenize(_ p: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, into out: inout [Int32]) {
        let n = hi - lo
        guard n > 0 else { return }
        var chars = 0
        for i in lo..<hi where p[i] & 0xC0 != 0x80 { chars += 1 }
        if chars > maxChars {
            out.append(unkID)
            out.append(Int32(n))
            return
        }
        let mark = out.count
        var key = prefix
        var start = lo
        let longest = vocab.table.maxLength
        while start < hi {
            // Candidates longer than the longest token cannot match: start below it (same result as
            // tokenizers, without hashing up to 100 characters' worth of misses at every position).
            var end = hi
            let limit = start + longest - (start > lo ? prefix.count : 0)
            if end > limit {
                end = max(limit, start)
                while end > start && end < hi && p[end] & 0xC0 == 0x80 { end -= 1 }
            }
            var found: Int32? = nil
            while start < end {
                if start > lo {
                    key.removeSubrange(prefix.count...)
                    key.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<end]))
                    found = vocab.table.get(key)
                } else {
                    found = vocab.table.get(UnsafeRawPointer(p.baseAddress.map { $0 + start }), end - start)
                }
                if found != nil { break }
                end -= 1
                while end > start && p[end] & 0xC0 == 0x80 { end -= 1 }  // back one character
            }
            guard let id = found else {
                out.removeSubrange(mark...)
                out.append(unkID)
                out.append(Int32(n))
                return
            }
            out.append(id)
            out.append(Int32(end - start))
            start = end
        }
    }
}
