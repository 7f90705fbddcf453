/// The text of one encode call as it goes through normalizers and pre-tokenizers: UTF-8 bytes and, per byte, the
/// original byte range of the character it came from (Hugging Face's `NormalizedString` alignments, kept absolute).
///
/// Pieces are ranges of this buffer. A step that only splits makes sub-ranges; a step that changes text appends the
/// new text at the end and the piece points there, so nothing is moved or copied twice.
struct TextBuffer {
    var bytes: [UInt8]
    var starts: [Int32]
    var ends: [Int32]

    /// The original text: each byte aligned to its whole character.
    init(original: [UInt8]) {
        bytes = original
        let n = original.count
        var s = [Int32](repeating: 0, count: n)
        var e = [Int32](repeating: 0, count: n)
        original.withUnsafeBufferPointer { p in
            var i = 0
            while i < n {
                let len = min(UTF8Scan.length(lead: p[i]), n - i)
                for k in i..<(i + len) {
                    s[k] = Int32(i)
                    e[k] = Int32(i + len)
                }
                i += len
            }
        }
        starts = s
        ends = e
    }

    /// Grows geometrically: reserving exactly what each piece needs would copy the buffer once per piece.
    mutating func reserve(_ extra: Int) {
        let need = bytes.count + extra
        guard need > bytes.capacity else { return }
        let c = max(need, bytes.capacity * 2)
        bytes.reserveCapacity(c)
        starts.reserveCapacity(c)
        ends.reserveCapacity(c)
    }

    @inline(__always) mutating func append(_ b: UInt8, _ s: Int32, _ e: Int32) {
        bytes.append(b)
        starts.append(s)
        ends.append(e)
    }

    mutating func appendScalar(_ c: UInt32, _ s: Int32, _ e: Int32) {
        let before = bytes.count
        UTF8Scan.append(c, to: &bytes)
        for _ in before..<bytes.count {
            starts.append(s)
            ends.append(e)
        }
    }

    /// Copies bytes [lo, hi) with their alignments to the end. (Appending `bytes[lo..<hi]` to `bytes` would copy
    /// the whole array first: the slice keeps the old buffer alive.)
    mutating func appendCopy(_ lo: Int, _ hi: Int) {
        guard lo < hi else { return }
        let n = hi - lo
        reserve(n)
        Self.appendSelf(&bytes, lo, n, 0)
        Self.appendSelf(&starts, lo, n, 0)
        Self.appendSelf(&ends, lo, n, 0)
    }

    private static func appendSelf<T>(_ a: inout [T], _ lo: Int, _ n: Int, _ zero: T) {
        let old = a.count
        a.append(contentsOf: repeatElement(zero, count: n))
        a.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            (base + old).update(from: base + lo, count: n)
        }
    }

    /// Hugging Face's `transform`: replaces the piece's text by `ops`, each a character and a change (0 replaces the
    /// next old character, 1 is inserted, -N replaces the next one and removes N more), after skipping
    /// `initialOffset` old characters. Alignments follow tokenizers exactly: a replacing character takes the old
    /// character's, an inserted one the byte before it.
    mutating func transform(_ piece: Piece, _ ops: [TransformOp], initialOffset: Int) -> Piece {
        let lo = Int(piece.lo)
        let hi = Int(piece.hi)
        var offset = lo
        for _ in 0..<initialOffset where offset < hi { offset += UTF8Scan.length(lead: bytes[offset]) }
        let newLo = bytes.count
        reserve(ops.count)
        for op in ops {
            var s = piece.shift
            var e = piece.shift
            if op.change > 0 {
                if offset - lo >= 1 {
                    s = starts[offset - 1]
                    e = ends[offset - 1]
                }
            } else {
                let k = min(offset, max(hi - 1, lo))
                if k < hi {
                    s = starts[k]
                    e = ends[k]
                }
                if offset < hi { offset += UTF8Scan.length(lead: bytes[offset]) }
                if op.change < 0 {
                    for _ in 0..<Int(-op.change) where offset < hi { offset += UTF8Scan.length(lead: bytes[offset]) }
                }
            }
            appendScalar(op.scalar, s, e)
        }
        return Piece(lo: Int32(newLo), hi: Int32(bytes.count), shift: piece.shift, token: -1)
    }

    /// The piece's characters.
    func scalars(_ piece: Piece) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(Int(piece.hi - piece.lo))
        bytes.withUnsafeBufferPointer { p in
            var i = Int(piece.lo)
            while i < Int(piece.hi) {
                let (c, n) = UTF8Scan.decode(p, i)
                out.append(c)
                i += n
            }
        }
        return out
    }

    /// A sub-range of a piece as a new piece (Hugging Face's `slice`): its original start is its first byte's.
    @inline(__always) func slice(_ lo: Int, _ hi: Int) -> Piece {
        Piece(lo: Int32(lo), hi: Int32(hi), shift: starts[lo], token: -1)
    }
}

/// A range of the text buffer. `shift` is where it starts in the original text (Hugging Face's `original_shift`);
/// `token` is an added token's id once matched, else -1.
struct Piece {
    var lo: Int32
    var hi: Int32
    var shift: Int32
    var token: Int32

    var isEmpty: Bool { lo >= hi }
    var count: Int { Int(hi - lo) }
}

/// One character of a transform and how it relates to the old text (see `TextBuffer.transform`).
struct TransformOp {
    var scalar: UInt32
    var change: Int32
}
