internal import CIngotKernels
import IngotFormat
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scaled-dot-product attention of T new queries against every cached position, grouped-query aware; causal for
/// decoders, bidirectional for encoders.
///
/// Per query head h (kv head g = h / (heads / kv_heads), transformers' `repeat_kv`): S = scale · Q_h · K_gᵀ over the
/// first start + T cached rows, query row i sees keys 0…start + i (causal) or all of them, softmax per row,
/// O_h = P · V_g. An encoder runs one unpadded sequence at a time, so it needs no padding mask: each row of a padded
/// batch in transformers equals the sequence run alone. Both products are
/// sgemm over all new rows at once; query rows go in blocks of `Workspace.queryBlock` to bound the score buffer.
struct Attention {
    let heads: Int
    let kvHeads: Int
    let headDim: Int
    let causal: Bool

    /// - q: [T, ·] with row stride `ldq`, head h at column h·head_dim.
    /// - keys/values: the layer's cache, row stride `ldkv`, holding start + T rows.
    /// - out: [T, heads·head_dim] with row stride `ldo`.
    /// - scores: heads × (start + 1) floats for one token; else max(1, threads) × min(T, queryBlock) × (start + T),
    ///   a block per worker (`Workspace.reserve`).
    func run(q: UnsafePointer<Float>, ldq: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, ldkv: Int,
             out: UnsafeMutablePointer<Float>, ldo: Int, tokens t: Int, start: Int, scores: UnsafeMutablePointer<Float>,
             threads: Int = 1) {
        let group = heads / kvHeads
        let scale = Float(1 / Double(headDim).squareRoot())
        if t == 1 {
            // A decoding step: one query row per head against start + 1 keys (a causal row sees them all), in one C
            // loop rather than two single-row products, heads split over the threads. `scores` holds heads rows.
            ingot_attend_one(q, keys, values, ldkv, start + 1, heads, kvHeads, headDim, scale, out, scores, Int32(threads),
                             KernelPath.best.simdFlag)
            return
        }
        // Heads are independent: each worker takes whole heads, its own slice of `scores`, and single-threaded
        // products (two threads splitting a 128 × 128 product cost more in hand-offs than they save).
        let slice = min(t, Workspace.queryBlock) * (start + t)
        BLAS.setThreads(1)
        var i0 = 0
        while i0 < t {
            let rows = min(Workspace.queryBlock, t - i0)
            // Keys past the block's last query are masked for every row in it: leave them out of the product.
            let visible = causal ? start + i0 + rows : start + t
            Parallel.pooled(heads, threads: threads) { h, w in
                let g = h / group, scores = scores + w * slice
                BLAS.gemmNT(m: rows, n: visible, k: headDim, alpha: scale, a: q + i0 * ldq + h * headDim, lda: ldq,
                            b: keys + g * headDim, ldb: ldkv, c: scores, ldc: visible)
                // Row r sees start + i0 + r + 1 positions (causal) or all `visible`.
                ingot_softmax_rows(scores, rows, visible, start + i0 + 1, causal ? 1 : 0, KernelPath.best.simdFlag)
                BLAS.gemmNN(m: rows, n: headDim, k: visible, a: scores, lda: visible, b: values + g * headDim,
                            ldb: ldkv, c: out + i0 * ldo + h * headDim, ldc: ldo)
            }
            i0 += rows
        }
    }
}
