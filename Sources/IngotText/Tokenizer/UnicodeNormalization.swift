/// NFD and NFC as the `unicode-normalization-alignments` crate computes them for tokenizers, including the change
/// markers that decide alignments: the first character of a decomposition replaces (0), the rest are inserted (1),
/// and the markers travel with the characters through canonical reordering and recomposition.
enum UnicodeNormalization {
    private static let sBase: UInt32 = 0xAC00, lBase: UInt32 = 0x1100, vBase: UInt32 = 0x1161, tBase: UInt32 = 0x11A7
    private static let tCount: UInt32 = 28, nCount: UInt32 = 588, sCount: UInt32 = 11172

    static func decompose(_ c: UInt32, into out: inout [UInt32]) {
        if c >= sBase && c < sBase + sCount {
            let s = c - sBase
            out.append(lBase + s / nCount)
            out.append(vBase + (s % nCount) / tCount)
            if s % tCount != 0 { out.append(tBase + s % tCount) }
        } else if c >= 0xC0, let d = UnicodeTables.decompositions[c] {
            out.append(contentsOf: d)
        } else {
            out.append(c)
        }
    }

    /// True when NFD and NFC leave these characters alone with all-zero changes (so alignments do not move).
    static func isStable(_ scalars: [UInt32]) -> Bool {
        for c in scalars where c >= 0x300 || (c >= 0xC0 && UnicodeTables.decompositions[c] != nil) {
            if c >= sBase && c < sBase + sCount { return false }
            if UnicodeTables.decompositions[c] != nil || UnicodeTables.ccc(c) != 0 { return false }
            if c >= 0x1100 && c < 0x1200 { return false }  // conjoining jamo compose
            if UnicodeTables.isCompositionSecond(c) { return false }
        }
        return true
    }

    /// NFD with change markers.
    static func nfd(_ scalars: [UInt32]) -> [TransformOp] {
        var ops: [TransformOp] = []
        var classes: [UInt8] = []
        ops.reserveCapacity(scalars.count)
        var parts: [UInt32] = []
        for c in scalars {
            parts.removeAll(keepingCapacity: true)
            decompose(c, into: &parts)
            for (k, d) in parts.enumerated() {
                ops.append(TransformOp(scalar: d, change: k == 0 ? 0 : 1))
                classes.append(UnicodeTables.ccc(d))
            }
        }
        // Canonical ordering: each run of non-starters is stably sorted by class.
        var i = 0
        while i < ops.count {
            guard classes[i] != 0 else { i += 1; continue }
            var j = i
            while j < ops.count && classes[j] != 0 { j += 1 }
            if j - i > 1 {
                let run = (i..<j).map { ($0, classes[$0], ops[$0]) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
                for (k, item) in run.enumerated() { ops[i + k] = item.2 }
            }
            i = j
        }
        return ops
    }

    private static func compose(_ a: UInt32, _ b: UInt32) -> UInt32? {
        if a >= lBase && a < lBase + 19 && b >= vBase && b < vBase + 21 {
            return sBase + ((a - lBase) * 21 + (b - vBase)) * tCount
        }
        if a >= sBase && a < sBase + sCount && (a - sBase) % tCount == 0 && b > tBase && b < tBase + tCount {
            return a + (b - tBase)
        }
        return UnicodeTables.compositions[UInt64(a) << 32 | UInt64(b)]
    }

    /// NFC with change markers: the crate's recomposition state machine over the NFD stream (a composed pair's
    /// change is the sum of both minus one).
    static func nfc(_ scalars: [UInt32]) -> [TransformOp] {
        let input = nfd(scalars)
        var out: [TransformOp] = []
        out.reserveCapacity(input.count)
        var buffer: [TransformOp] = []
        var composee: TransformOp? = nil
        var lastClass: UInt8? = nil
        for op in input {
            let cls = UnicodeTables.ccc(op.scalar)
            guard let k = composee else {
                if cls != 0 { out.append(op); continue }
                composee = op
                continue
            }
            if let l = lastClass {
                if l >= cls {
                    if cls == 0 {  // blocked: flush
                        out.append(k)
                        out.append(contentsOf: buffer)
                        buffer.removeAll(keepingCapacity: true)
                        composee = op
                        lastClass = nil
                        continue
                    }
                    buffer.append(op)
                    lastClass = cls
                    continue
                }
                if let r = compose(k.scalar, op.scalar) {
                    composee = TransformOp(scalar: r, change: k.change + op.change - 1)
                    continue
                }
                buffer.append(op)
                lastClass = cls
            } else {
                if let r = compose(k.scalar, op.scalar) {
                    composee = TransformOp(scalar: r, change: k.change + op.change - 1)
                    continue
                }
                if cls == 0 {
                    out.append(k)
                    composee = op
                    continue
                }
                buffer.append(op)
                lastClass = cls
            }
        }
        // Finished: the composee, then the buffered marks (the crate emits them in this order).
        if let k = composee { out.append(k) }
        out.append(contentsOf: buffer)
        return out
    }
}

extension UnicodeTables {
    static let compositionSeconds: Set<UInt32> = Set(compositions.keys.map { UInt32(truncatingIfNeeded: $0) })

    static func isCompositionSecond(_ c: UInt32) -> Bool { compositionSeconds.contains(c) }
}
