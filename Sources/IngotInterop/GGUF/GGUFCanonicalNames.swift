import IngotFamilies
import IngotFormat

/// What GGUF import and export share beyond a family's name table (`ModelFamily.gguf`): the tensor llama.cpp adds,
/// the buffers it drops, and the q/k row permutation.
enum GGUFCanonicalNames {
    /// The tensor holding llama-3 rope frequency factors; it has no canonical counterpart.
    static let ropeFreqs = "rope_freqs.weight"

    /// Rotary buffers some checkpoints carry; the converter drops them (llama.cpp computes its own).
    static func isDroppedBuffer(_ canonical: String) -> Bool { canonical.hasSuffix(".rotary_emb.inv_freq") }

    /// The permutation of a q/k tensor (`heads` = n_head for q, n_head_kv for k), after checking that its rows split
    /// into those heads — and equal heads × head_dim when the head size is known. `rowBytes` is one row's bytes.
    static func qkPermutation(_ d: TensorDescriptor, name: String, heads: Int, headDim: Int?)
        throws(GGUFCanonicalError) -> (RowPermutation, Int)
    {
        let l = d.layout
        guard l.shape.count == 1 || l.shape.count == 2, let rows = l.shape.first else {
            throw .cannotPermute(tensor: name, reason: "rank \(l.shape.count), expected a 2-D weight or a 1-D bias")
        }
        guard l.shape.count == 2 || !l.dtype.isBlockQuantized else {
            throw .cannotPermute(tensor: name, reason: "a block-quantized bias has no rows to move")
        }
        guard let p = RowPermutation(rows: rows, heads: heads) else {
            throw .headsDoNotDivideRows(tensor: name, rows: rows, heads: heads)
        }
        if let hd = headDim, Checked.mul(heads, hd) != rows {
            throw .rowsNotHeadsTimesHeadDim(tensor: name, rows: rows, heads: heads, headDim: hd)
        }
        // A layout's bytes are rows × (bytes of one row) exactly: blocks run along the last axis only.
        return (p, rows == 0 ? 0 : l.byteCount / rows)
    }
}
