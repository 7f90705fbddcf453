import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// llama.cpp's q/k row permutation (`RowPermutation`).
@Suite struct GGUFCanonicalPermutationTests {
    /// numpy's `w.reshape(heads, 2, half, cols).swapaxes(1, 2).reshape(rows, cols)`, spelled out index by index:
    /// output [h][j][t] = input [h][t][j].
    func numpyPermute(_ rows: [Int], heads: Int) -> [Int] {
        let half = rows.count / heads / 2
        var out: [Int] = []
        for h in 0..<heads { for j in 0..<half { for t in 0..<2 { out.append(rows[(h * 2 + t) * half + j]) } } }
        return out
    }

    func rowBuffer(_ ids: [Int], rowBytes: Int) -> TensorBuffer {
        // Row r is `rowBytes` bytes all derived from r, so any misplaced row shows.
        let b = ids.flatMap { r in (0..<rowBytes).map { UInt8(truncatingIfNeeded: r &* 31 &+ $0) } }
        return b.withUnsafeBytes { TensorBuffer(copying: $0) }
    }

    @Test("toGGUF is convert_hf_to_gguf's permute; toHF inverts it — on random shapes")
    func inverseOnRandomShapes() throws {
        var r = TestRandom(state: 42)
        for _ in 0..<200 {
            let heads = r.int(1...8), half = r.int(1...9), rowBytes = r.int(1...40)
            let rows = heads * half * 2
            let p = try #require(RowPermutation(rows: rows, heads: heads))
            let hf = Array(0..<rows)
            let source = rowBuffer(hf, rowBytes: rowBytes)
            let gguf = try p.apply(.toGGUF, to: source, rowBytes: rowBytes)
            #expect(bytes(gguf) == bytes(rowBuffer(numpyPermute(hf, heads: heads), rowBytes: rowBytes)), "\(heads) × \(half)")
            #expect(bytes(try p.apply(.toHF, to: gguf, rowBytes: rowBytes)) == bytes(source))
            for i in 0..<rows {
                #expect(p.hfRow(ofGGUFRow: p.ggufRow(ofHFRow: i)) == i)
            }
        }
    }

    @Test("a permutation exists only when rows split into heads of two halves")
    func validity() {
        #expect(RowPermutation(rows: 12, heads: 3) != nil)
        #expect(RowPermutation(rows: 12, heads: 4) == nil)  // 3 rows per head: no halves
        #expect(RowPermutation(rows: 12, heads: 0) == nil)
        #expect(RowPermutation(rows: -4, heads: 1) == nil)
        #expect(RowPermutation(rows: 8, heads: Int.max) == nil)  // 2 × heads overflows: refused, not trapped
        #expect(RowPermutation(rows: 0, heads: 5)?.ggufRow(ofHFRow: 0) == 0)
    }

    @Test("a buffer that is not rows × rowBytes is refused")
    func sizeMismatch() throws {
        let p = try #require(RowPermutation(rows: 4, heads: 1))
        #expect(throws: IngotError.self) { _ = try p.apply(.toHF, to: self.rowBuffer([0, 1, 2], rowBytes: 4), rowBytes: 4) }
        #expect(throws: IngotError.self) { _ = try p.apply(.toHF, to: self.rowBuffer([0, 1, 2, 3], rowBytes: 4), rowBytes: Int.max) }
    }

    @Test("Q4_0 blocks move as whole rows: un-permuting a quantized q_proj equals quantizing nothing, just moving bytes")
    func blocksMoveWhole() throws {
        let g = try CanonicalGGUFSource(path: ModelFixtures.path(ModelFixtures.gguf("llama-gqa", "Q4_0")))
        let raw = try GGUFFile(path: ModelFixtures.path(ModelFixtures.gguf("llama-gqa", "Q4_0")))
        let stored = bytes(try raw.storedBytes("blk.1.attn_k.weight"))  // 32 rows × 2 blocks of 18 bytes
        let canonical = bytes(try g.load("model.layers.1.self_attn.k_proj.weight"))
        let p = try #require(RowPermutation(rows: 32, heads: 2))
        for r in 0..<32 {
            let g = p.ggufRow(ofHFRow: r)
            #expect(canonical[(r * 36)..<(r * 36 + 36)] == stored[(g * 36)..<(g * 36 + 36)])
        }
    }
}
