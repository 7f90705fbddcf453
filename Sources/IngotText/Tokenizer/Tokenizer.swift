/// The model behind a tokenizer.
enum TokenModel: Sendable {
    case bpe(BPEModel)
    case wordPiece(WordPieceModel)

    var vocab: Vocabulary {
        switch self {
        case let .bpe(m): m.vocab
        case let .wordPiece(m): m.vocab
        }
    }

    @inline(__always) func tokenize(_ p: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, into out: inout [Int32]) {
        switch self {
        case let .bpe(m): m.tokenize(p, lo, hi, into: &out)
        case let .wordPiece(m): m.tokenize(p, lo, hi, into: &out)
        }
    }
}

/// A tokenizer identical to Hugging Face `tokenizers` for the components it implements: built from tokenizer.json
/// (`init(json:)`) or from a GGUF vocabulary (`init(gguf:)`). Immutable and safe to share between threads.
///
/// Encoding runs the same stages as tokenizers: added tokens are cut out first, then the normalizer, the
/// pre-tokenizer, the model and the post-processor. Offsets are byte ranges of the input's UTF-8.
public final class Tokenizer: Sendable {
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    let model: TokenModel
    let added: AddedVocabulary
    let postProcessor: PostProcessor?
    let decoder: Decoder?

    init(
        normalizer: Normalizer?, preTokenizer: PreTokenizer?, model: TokenModel, addedTokens: [AddedToken],
        postProcessor: PostProcessor?, decoder: Decoder?
    ) {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = postProcessor
        self.decoder = decoder
        var added = AddedVocabulary()
        let vocab = model.vocab
        added.add(
            addedTokens, modelID: { vocab.id($0) }, modelSize: vocab.count,
            normalize: { content in
                guard let normalizer else { return nil }
                var buf = TextBuffer(original: Array(content.utf8))
                let p = normalizer.apply(Piece(lo: 0, hi: Int32(buf.bytes.count), shift: 0, token: -1), &buf)
                return String(decoding: buf.bytes[Int(p.lo)..<Int(p.hi)], as: UTF8.self)
            })
        self.added = added
    }

    /// Tokens in the model's vocabulary plus added tokens that are new.
    public var vocabularySize: Int { model.vocab.count + added.byID.keys.filter { model.vocab.token($0) == nil }.count }

    /// The id of a token string (added tokens first, as tokenizers looks them up).
    public func id(of token: String) -> Int? { (added.ids[token] ?? model.vocab.id(token)).map(Int.init) }

    /// The string of a token id.
    public func token(of id: Int) -> String? {
        guard let i = Int32(exactly: id) else { return nil }
        return added.string(for: i) ?? model.vocab.token(i)
    }

    /// True for special added tokens (control tokens: `<|im_end|>`, `</s>`, …), which decoding skips by default.
    public func isSpecial(_ id: Int) -> Bool { token(of: id).map { added.specials.contains($0) } ?? false }

    /// Encodes one text; `addSpecialTokens` runs the post-processor's template (BOS, [CLS] … [SEP]).
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> Encoding {
        let e = encodeSequence(text, typeID: 0)
        return postProcess([e], [text], addSpecialTokens: addSpecialTokens)
    }

    /// Encodes a pair of texts (BERT's sentence pairs); the second one's offsets are in its own bytes.
    public func encode(_ text: String, pair: String, addSpecialTokens: Bool = true) -> Encoding {
        let a = encodeSequence(text, typeID: 0)
        let b = encodeSequence(pair, typeID: 1)
        return postProcess([a, b], [text, pair], addSpecialTokens: addSpecialTokens)
    }

    private func postProcess(_ encodings: [Encoding], _ texts: [String], addSpecialTokens: Bool) -> Encoding {
        guard let postProcessor else { return encodings.reduce(Encoding(), +) }
        var list = encodings
        for i in list.indices { list[i].typeIds = [Int](repeating: i, count: list[i].ids.count) }
        return postProcessor.process(list, texts: texts.map { Array($0.utf8) }, addSpecialTokens: addSpecialTokens)
            .reduce(Encoding(), +)
    }

    /// Added tokens, normalizer, pre-tokenizer and model for one sequence.
    func encodeSequence(_ text: String, typeID: Int) -> Encoding {
        var buf = TextBuffer(original: Array(text.utf8))
        let whole = Piece(lo: 0, hi: Int32(buf.bytes.count), shift: 0, token: -1)
        var pieces: [Piece] = []
        added.split(whole, buf, normalized: false, into: &pieces)
        if normalizer != nil || added.hasNormalizedTokens {
            var normalized: [Piece] = []
            normalized.reserveCapacity(pieces.count)
            for p in pieces {
                if p.token >= 0 {
                    normalized.append(p)
                    continue
                }
                let q = normalizer?.apply(p, &buf) ?? p
                added.split(q, buf, normalized: true, into: &normalized)
            }
            pieces = normalized
        }
        if let preTokenizer { pieces = preTokenizer.apply(pieces, &buf) }
        return tokenize(pieces, buf, typeID: typeID)
    }

    private func tokenize(_ pieces: [Piece], _ buf: TextBuffer, typeID: Int) -> Encoding {
        var e = Encoding()
        e.ids.reserveCapacity(pieces.count * 2)
        e.tokens.reserveCapacity(pieces.count * 2)
        e.offsets.reserveCapacity(pieces.count * 2)
        var pairs: [Int32] = []
        let vocab = model.vocab
        buf.bytes.withUnsafeBufferPointer { p in
            buf.starts.withUnsafeBufferPointer { starts in
                buf.ends.withUnsafeBufferPointer { ends in
                    for piece in pieces where !piece.isEmpty {
                        let lo = Int(piece.lo)
                        let hi = Int(piece.hi)
                        if piece.token >= 0 {
                            e.ids.append(Int(piece.token))
                            e.tokens.append(String(decoding: UnsafeBufferPointer(rebasing: p[lo..<hi]), as: UTF8.self))
                            e.offsets.append(Int(starts[lo])..<Int(ends[hi - 1]))
                            continue
                        }
                        pairs.removeAll(keepingCapacity: true)
                        model.tokenize(p, lo, hi, into: &pairs)
                        var at = lo
                        var k = 0
                        while k + 1 < pairs.count {
                            let id = pairs[k]
                            let a = min(at, hi - 1)
                            let b = min(at + Int(pairs[k + 1]), hi)
                            e.ids.append(Int(id))
                            e.tokens.append(vocab.token(id) ?? "")
                            e.offsets.append(Int(starts[a])..<Int(ends[max(b - 1, a)]))
                            at += Int(pairs[k + 1])
                            k += 2
                        }
                    }
                }
            }
        }
        e.typeIds = [Int](repeating: typeID, count: e.ids.count)
        return e
    }

    /// Token strings back to text through the decoder; `skipSpecialTokens` leaves out special added tokens.
    /// Ids that name no token are skipped, as in tokenizers.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let t = token(of: id) else { continue }
            if skipSpecialTokens && added.specials.contains(t) { continue }
            tokens.append(t)
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decode(tokens)
    }
}
