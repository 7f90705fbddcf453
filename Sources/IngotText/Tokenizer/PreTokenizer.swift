/// tokenizers' `SplitDelimiterBehavior`.
enum SplitBehavior: String, Sendable {
    case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
}

/// What a `Split` matches: a literal string or one of the known regexes.
enum SplitPattern: Sendable, Equatable {
    case literal([UInt8])
    case regex(SplitScanner)
}

/// Metaspace's `prepend_scheme`.
enum PrependScheme: String, Sendable {
    case first, never, always
}

/// The pre-tokenizers of tokenizer.json that Ingot implements. ByteLevel does not rewrite bytes into its
/// printable alphabet: the BPE model works on raw bytes (its vocabulary is mapped once at load), so ByteLevel only
/// adds the prefix space and splits.
indirect enum PreTokenizer: Sendable {
    case sequence([PreTokenizer])
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case split(SplitPattern, SplitBehavior, invert: Bool)
    case digits(individual: Bool)
    case punctuation(SplitBehavior)
    case whitespace
    case whitespaceSplit
    case metaspace(replacement: UInt32, scheme: PrependScheme, split: Bool)
    case bert

    /// True when the pipeline contains ByteLevel (the model then works on raw bytes).
    var isByteLevel: Bool {
        switch self {
        case .byteLevel: true
        case let .sequence(list): list.contains { $0.isByteLevel }
        default: false
        }
    }

    /// Splits every piece that has no token yet; empty pieces are dropped.
    func apply(_ pieces: [Piece], _ buf: inout TextBuffer) -> [Piece] {
        if case let .sequence(list) = self {
            var p = pieces
            for t in list { p = t.apply(p, &buf) }
            return p
        }
        var out: [Piece] = []
        out.reserveCapacity(pieces.count * 4)
        for piece in pieces {
            if piece.token >= 0 {
                out.append(piece)
                continue
            }
            split(piece, &buf, &out)
        }
        return out
    }

    private func split(_ piece: Piece, _ buf: inout TextBuffer, _ out: inout [Piece]) {
        switch self {
        case .sequence: out.append(contentsOf: apply([piece], &buf))
        case let .byteLevel(addPrefixSpace, useRegex):
            var p = piece
            if addPrefixSpace && !p.isEmpty && buf.bytes[Int(p.lo)] != 0x20 {
                let lo = buf.bytes.count
                buf.append(0x20, buf.starts[Int(p.lo)], buf.ends[Int(p.lo)])
                buf.appendCopy(Int(p.lo), Int(p.hi))
                p = Piece(lo: Int32(lo), hi: Int32(buf.bytes.count), shift: p.shift, token: -1)
            }
            if useRegex {
                Splitter.regex(.gpt2, p, buf, .isolated, invert: false, &out)
            } else if !p.isEmpty {
                out.append(p)
            }
        case let .split(pattern, behavior, invert):
            switch pattern {
            case let .regex(scanner): Splitter.regex(scanner, piece, buf, behavior, invert: invert, &out)
            case let .literal(bytes): Splitter.literal(bytes, piece, buf, behavior, invert: invert, &out)
            }
        case let .digits(individual):
            Splitter.chars(piece, buf, individual ? .isolated : .contiguous, &out) {
                UnicodeTables.has($0, CharClass.numeric)
            }
        case let .punctuation(behavior):
            Splitter.chars(piece, buf, behavior, &out) { UnicodeTables.has($0, CharClass.punctuation) }
        case .whitespace: Splitter.words(piece, buf, &out)
        case .whitespaceSplit:
            Splitter.chars(piece, buf, .removed, &out) { UnicodeTables.has($0, CharClass.whitespace) }
        case .bert:
            var words: [Piece] = []
            Splitter.chars(piece, buf, .removed, &words) { UnicodeTables.has($0, CharClass.whitespace) }
            for w in words {
                Splitter.chars(w, buf, .isolated, &out) { UnicodeTables.has($0, CharClass.punctuation) }
            }
        case let .metaspace(replacement, scheme, split):
            metaspace(piece, &buf, replacement, scheme, split, &out)
        }
    }

    private func metaspace(
        _ piece: Piece, _ buf: inout TextBuffer, _ replacement: UInt32, _ scheme: PrependScheme, _ split: Bool,
        _ out: inout [Piece]
    ) {
        var rep: [UInt8] = []
        UTF8Scan.append(replacement, to: &rep)
        var p = Normalizer.replace([0x20], [replacement], piece, &buf)
        let startsWithReplacement = p.count >= rep.count && Array(buf.bytes[Int(p.lo)..<(Int(p.lo) + rep.count)]) == rep
        let prepend =
            switch scheme {
            case .always: !startsWithReplacement
            case .first: !startsWithReplacement && p.shift == 0
            case .never: false
            }
        if prepend { p = Normalizer.prepend([replacement], p, &buf) }
        if split {
            Splitter.literal(rep, p, buf, .mergedWithNext, invert: false, &out)
        } else if !p.isEmpty {
            out.append(p)
        }
    }
}
