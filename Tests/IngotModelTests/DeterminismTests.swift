import Testing

@testable import IngotModel

extension ModelTests {
    /// The same inputs give bit-identical logits, run to run, at a fixed OpenBLAS thread count.
    @Suite struct DeterminismTests {
        @Test("two runs give identical bits", arguments: [1, 2])
        func identicalBits(threads: Int) throws {
            for m in ModelFixture.all {
                let a = try m.load(threads: threads).prefill(Fixtures.tokens).values.map(\.bitPattern)
                let second = try m.load(threads: threads)
                let b = try second.prefill(Fixtures.tokens).values.map(\.bitPattern)
                let c = try second.prefill(Fixtures.tokens).values.map(\.bitPattern)
                #expect(a == b, "\(m.name), \(threads) threads: fresh models differ")
                #expect(b == c, "\(m.name), \(threads) threads: one model differs from itself")
            }
        }

        /// Llama-layout prefills split their products into panels fixed by the matrix shape and their attention by
        /// heads, all on Ingot's pool with single-threaded sgemm: the thread count decides who computes what, never
        /// what is computed. (GPT-2's Conv1D products still run on OpenBLAS's threads.)
        @Test("llama prefill logits do not depend on the thread count", arguments: ["llama-gqa", "llama-tied", "qwen2"])
        func threadCountIndependent(_ name: String) throws {
            let m = ModelFixture(name: name)
            let one = try m.load(threads: 1).prefill(Fixtures.tokens).values.map(\.bitPattern)
            for threads in [2, 3] {
                let many = try m.load(threads: threads).prefill(Fixtures.tokens).values.map(\.bitPattern)
                #expect(one == many, "\(name): \(threads) threads differ from 1")
            }
        }
    }
}
