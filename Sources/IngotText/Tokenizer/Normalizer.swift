/// The normalizers of tokenizer.json that Ingot implements, each with tokenizers' exact alignment rules.
indirect enum Normalizer: Sendable {
    case sequence([Normalizer])
    case bert(cleanText: Bool, chineseChars: Bool, stripAccents: Bool, lowercase: Bool)
    case prepend([UInt32])
    case replace(pattern: [UInt8], content: [UInt32])
    case nfc
    case nfd
    case lowercase
    case strip(left: Bool, right: Bool)

    /// Normalizes one piece; the result may point at new text at the end of the buffer.
    func apply(_ piece: Piece, _ buf: inout TextBuffer) -> Piece {
        switch self {
        case let .sequence(list):
            var p = piece
            for n in list { p = n.apply(p, &buf) }
            return p
        case let .bert(clean, chinese, strip, lower):
            var p = piece
            if clean { p = Self.cleanText(p, &buf) }
            if chinese { p = Self.chineseChars(p, &buf) }
            if strip { p = Self.stripAccents(p, &buf) }
            if lower { p = Self.lowercase(p, &buf) }
            return p
        case let .prepend(s): return Self.prepend(s, piece, &buf)
        case let .replace(pattern, content): return Self.replace(pattern, content, piece, &buf)
        case .nfc, .nfd:
            let scalars = buf.scalars(piece)
            if UnicodeNormalization.isStable(scalars) { return piece }
            let ops = self.isNFC ? UnicodeNormalization.nfc(scalars) : UnicodeNormalization.nfd(scalars)
            return buf.transform(piece, ops, initialOffset: 0)
        case .lowercase: return Self.lowercase(piece, &buf)
        case let .strip(left, right): return Self.strip(piece, buf, left: left, right: right)
        }
    }

    private var isNFC: Bool { if case .nfc = self { true } else { false } }

    private static func isASCII(_ piece: Piece, _ buf: TextBuffer) -> Bool {
        buf.bytes.withUnsafeBufferPointer { p in
            for i in Int(piece.lo)..<Int(piece.hi) where p[i] >= 0x80 { return false }
            return true
        }
    }

    /// tokenizers' `filter`: each kept character carries how many removed ones follow it.
    static func filter(_ piece: Piece, _ buf: inout TextBuffer, keep: (UInt32) -> Bool) -> Piece {
        let scalars = buf.scalars(piece)
        guard !scalars.allSatisfy(keep) else { return piece }
        var ops: [TransformOp] = []
        ops.reserveCapacity(scalars.count)
        var removed: Int32 = 0
        var removedStart = 0
        var last: UInt32? = nil
        for c in scalars {
            if keep(c) {
                if let l = last { ops.append(TransformOp(scalar: l, change: -removed)) } else { removedStart = Int(removed) }
                last = c
                removed = 0
            } else {
                removed += 1
            }
        }
        if let l = last { ops.append(TransformOp(scalar: l, change: -removed)) }
        return buf.transform(piece, ops, initialOffset: removedStart)
    }

    /// BertNormalizer clean_text: drop NUL, U+FFFD and controls (but \t \n \r), whitespace becomes a space.
    private static func cleanText(_ piece: Piece, _ buf: inout TextBuffer) -> Piece {
        var p = filter(piece, &buf) { !UnicodeTables.has($0, CharClass.bertRemoved) }
        // A one-for-one map: alignments do not move, so the bytes change in place when the width is the same.
        let scalars = buf.scalars(p)
        guard scalars.contains(where: { $0 != 0x20 && UnicodeTables.has($0, CharClass.whitespace) }) else { return p }
        let ops = scalars.map { c in
            TransformOp(scalar: c != 0x20 && UnicodeTables.has(c, CharClass.whitespace) ? 0x20 : c, change: 0)
        }
        p = buf.transform(p, ops, initialOffset: 0)
        return p
    }

    private static func chineseChars(_ piece: Piece, _ buf: inout TextBuffer) -> Piece {
        if isASCII(piece, buf) { return piece }
        let scalars = buf.scalars(piece)
        guard scalars.contains(where: { UnicodeTables.has($0, CharClass.chinese) }) else { return piece }
        var ops: [TransformOp] = []
        ops.reserveCapacity(scalars.count + 8)
        for c in scalars {
            if UnicodeTables.has(c, CharClass.chinese) {
                ops.append(TransformOp(scalar: 0x20, change: 0))
                ops.append(TransformOp(scalar: c, change: 1))
                ops.append(TransformOp(scalar: 0x20, change: 1))
            } else {
                ops.append(TransformOp(scalar: c, change: 0))
            }
        }
        return buf.transform(piece, ops, initialOffset: 0)
    }

    private static func stripAccents(_ piece: Piece, _ buf: inout TextBuffer) -> Piece {
        if isASCII(piece, buf) { return piece }
        var p = piece
        let scalars = buf.scalars(p)
        if !UnicodeNormalization.isStable(scalars) {
            p = buf.transform(p, UnicodeNormalization.nfd(scalars), initialOffset: 0)
        }
        return filter(p, &buf) { !UnicodeTables.has($0, CharClass.nonspacingMark) }
    }

    /// Rust's char::to_lowercase per character; extra characters of a mapping are inserted.
    static func lowercase(_ piece: Piece, _ buf: inout TextBuffer) -> Piece {
        if isASCII(piece, buf) {
            // ASCII lowercasing keeps widths and alignments: change the bytes in place.
            buf.bytes.withUnsafeMutableBufferPointer { p in
                for i in Int(piece.lo)..<Int(piece.hi) where p[i] >= 0x41 && p[i] <= 0x5A { p[i] += 0x20 }
            }
            return piece
        }
        let scalars = buf.scalars(piece)
        var ops: [TransformOp] = []
        ops.reserveCapacity(scalars.count)
        var changed = false
        for c in scalars {
            if let m = UnicodeTables.lowercase[c] {
                changed = true
                for (k, d) in m.enumerated() { ops.append(TransformOp(scalar: d, change: k == 0 ? 0 : 1)) }
            } else {
                ops.append(TransformOp(scalar: c, change: 0))
            }
        }
        return changed ? buf.transform(piece, ops, initialOffset: 0) : piece
    }

    /// Prepend: the added characters and the first one all take the first character's alignment.
    static func prepend(_ s: [UInt32], _ piece: Piece, _ buf: inout TextBuffer) -> Piece {
        guard !piece.isEmpty, !s.isEmpty else { return piece }
        let first = UTF8Scan.length(lead: buf.bytes[Int(piece.lo)])
        let (c, _) = buf.bytes.withUnsafeBufferPointer { UTF8Scan.decode($0, Int(piece.lo)) }
        var ops = s.enumerated().map { TransformOp(scalar: $0.element, change: $0.offset == 0 ? 0 : 1) }
        ops.append(TransformOp(scalar: c, change: 1))
        let head = Piece(lo: piece.lo, hi: piece.lo + Int32(first), shift: piece.shift, token: -1)
        let out = buf.transform(head, ops, initialOffset: 0)
        buf.appendCopy(Int(piece.lo) + first, Int(piece.hi))
        return Piece(lo: out.lo, hi: Int32(buf.bytes.count), shift: piece.shift, token: -1)
    }

    /// Replace of a literal: each match becomes `content`, aligned to the match's last byte.
    static func replace(_ pattern: [UInt8], _ content: [UInt32], _ piece: Piece, _ buf: inout TextBuffer) -> Piece {
        let lo = Int(piece.lo)
        let hi = Int(piece.hi)
        guard !pattern.isEmpty, let firstMatch = find(pattern, in: buf, lo, hi) else { return piece }
        let newLo = buf.bytes.count
        buf.reserve(hi - lo + 16)
        var i = lo
        var m: Int? = firstMatch
        while let at = m {
            buf.appendCopy(i, at)
            let last = at + pattern.count - 1
            let (s, e) = (buf.starts[last], buf.ends[last])
            for c in content { buf.appendScalar(c, s, e) }
            i = at + pattern.count
            m = find(pattern, in: buf, i, hi)
        }
        buf.appendCopy(i, hi)
        return Piece(lo: Int32(newLo), hi: Int32(buf.bytes.count), shift: piece.shift, token: -1)
    }

    /// First occurrence of `pattern` in bytes [lo, hi).
    static func find(_ pattern: [UInt8], in buf: TextBuffer, _ lo: Int, _ hi: Int) -> Int? {
        let n = pattern.count
        guard n > 0, hi - lo >= n else { return nil }
        return buf.bytes.withUnsafeBufferPointer { p in
            pattern.withUnsafeBufferPointer { q in
                let first = q[0]
                var i = lo
                while i <= hi - n {
                    if p[i] == first {
                        var k = 1
                        while k < n && p[i + k] == q[k] { k += 1 }
                        if k == n { return i }
                    }
                    i += 1
                }
                return nil
            }
        }
    }

    /// Strip keeps the inner characters with their alignments, so it is a sub-range (the original shift stays).
    private static func strip(_ piece: Piece, _ buf: TextBuffer, left: Bool, right: Bool) -> Piece {
        let scalars = buf.scalars(piece)
        let ws = { (c: UInt32) in UnicodeTables.has(c, CharClass.whitespace) }
        var lo = Int(piece.lo)
        var hi = Int(piece.hi)
        if left {
            for c in scalars {
                guard ws(c) else { break }
                lo += UTF8Scan.width(c)
            }
        }
        if right {
            for c in scalars.reversed() {
                guard ws(c), hi > lo else { break }
                hi -= UTF8Scan.width(c)
            }
        }
        return Piece(lo: Int32(lo), hi: Int32(max(lo, hi)), shift: piece.shift, token: -1)
    }
}
