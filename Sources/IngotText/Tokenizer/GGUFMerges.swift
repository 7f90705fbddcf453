extension Tokenizer {
    /// SentencePiece merges rebuilt from token scores when a GGUF has none: transformers' `generate_merges` —
    /// every split of a token into two known tokens, ordered by the token's score (best first), then by the
    /// lengths of the two parts (longer first), ties in vocabulary order.
    static func mergesFromScores(_ v: GGUFVocabulary) throws(TokenizerError) -> [(String, String)] {
        guard let scores = v.scores, scores.count == v.tokens.count else {
            throw .badModel("no merges and no scores (one per token) to rebuild them from")
        }
        var index: [String: Int] = [:]  // last occurrence wins, as in a Python dict comprehension
        for (i, t) in v.tokens.enumerated() { index[t] = i }
        var score: [String: Float] = [:]
        var order: [String] = []  // first occurrence order of dict(zip(tokens, scores))
        for (t, s) in zip(v.tokens, scores) {
            if score.updateValue(s, forKey: t) == nil { order.append(t) }
        }
        struct Merge {
            var left: String, right: String, score: Float, leftLength: Int, rightLength: Int, position: Int
        }
        var merges: [Merge] = []
        for t in order {
            let chars = Array(t.unicodeScalars)
            guard chars.count > 1, let s = score[t] else { continue }
            var local: [(Merge, Int, Int)] = []
            for cut in 1..<chars.count {
                var l = String.UnicodeScalarView()
                l.append(contentsOf: chars[..<cut])
                var r = String.UnicodeScalarView()
                r.append(contentsOf: chars[cut...])
                let (ls, rs) = (String(l), String(r))
                guard let li = index[ls], let ri = index[rs] else { continue }
                local.append((Merge(left: ls, right: rs, score: s, leftLength: cut, rightLength: chars.count - cut, position: 0), li, ri))
            }
            local.sort { ($0.1, $0.2) < ($1.1, $1.2) }
            for (m, _, _) in local {
                var m = m
                m.position = merges.count
                merges.append(m)
            }
        }
        merges.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.leftLength != b.leftLength { return a.leftLength > b.leftLength }
            if a.rightLength != b.rightLength { return a.rightLength > b.rightLength }
            return a.position < b.position
        }
        return merges.map { ($0.left, $0.right) }
    }
}
