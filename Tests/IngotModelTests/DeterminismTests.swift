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
    }
}
