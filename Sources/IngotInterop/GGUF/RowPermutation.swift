import IngotFormat

/// llama.cpp's per-head reordering of the rows of `q_proj` / `k_proj` (specs/canonical.md §3).
///
/// Hugging Face rotates dimension i of a head together with i + head_dim/2 (`rotate_half`); ggml's "normal" rope
/// rotates adjacent pairs. `convert_hf_to_gguf.py` therefore regroups each head's rows,
/// `w.reshape(heads, 2, rows/heads/2, cols).swapaxes(1, 2).reshape(rows, cols)`: within head h (of `perHead` rows,
/// `half` = perHead/2), GGUF row h·perHead + 2j + t holds Hugging Face row h·perHead + t·half + j (t ∈ {0, 1}).
///
/// Only whole rows move, so the permutation works on any row layout — f32, f16, and Q8_0/Q4_0/Q4_1 blocks alike
/// (blocks lie within a row): bytes are copied, never requantized.
public struct RowPermutation: Sendable, Equatable {
    public enum Direction: Sendable {
        /// Hugging Face order → GGUF order (export).
        case toGGUF
        /// GGUF order → Hugging Face order (import).
        case toHF
    }

    public let rows: Int
    public let heads: Int
    /// Rows per head.
    public let perHead: Int

    /// Nil unless `heads` > 0 and `rows` is a multiple of 2·`heads` (each head's rows split into two halves).
    public init?(rows: Int, heads: Int) {
        guard rows >= 0, heads > 0, let twice = Checked.mul(heads, 2), rows % twice == 0 else { return nil }
        self.rows = rows
        self.heads = heads
        perHead = rows / heads
    }

    /// The GGUF row holding Hugging Face row `r` (0 ≤ r < rows).
    public func ggufRow(ofHFRow r: Int) -> Int {
        guard perHead > 0 else { return r }  // no rows: nothing to map
        let h = r / perHead, w = r % perHead, half = perHead / 2
        let t = w / half, j = w % half
        return h * perHead + 2 * j + t
    }

    /// The Hugging Face row held by GGUF row `g` (0 ≤ g < rows).
    public func hfRow(ofGGUFRow g: Int) -> Int {
        guard perHead > 0 else { return g }
        let h = g / perHead, w = g % perHead, half = perHead / 2
        return h * perHead + (w % 2) * half + w / 2
    }

    /// Copies `source` (rows × `rowBytes` bytes) into a new buffer with its rows reordered.
    public func apply(_ direction: Direction, to source: TensorBuffer, rowBytes: Int) throws(IngotError) -> TensorBuffer {
        guard rowBytes >= 0, let total = Checked.mul(rows, rowBytes), total == source.count else {
            throw .unsupported("row permutation: \(source.count) bytes are not \(rows) rows of \(rowBytes) bytes")
        }
        let out = OwnedBytes(count: total)
        guard total > 0, let dst = out.mutable.baseAddress else { return TensorBuffer(out) }
        source.withBytes { src in
            guard let s = src.baseAddress else { return }
            for outRow in 0..<rows {
                // Every index is < rows, so every offset is < total: no overflow, no out-of-bounds copy.
                let inRow = direction == .toGGUF ? hfRow(ofGGUFRow: outRow) : ggufRow(ofHFRow: outRow)
                (dst + outRow * rowBytes).copyMemory(from: s + inRow * rowBytes, byteCount: rowBytes)
            }
        }
        return TensorBuffer(out)
    }
}
