import IngotFormat
import Testing

@testable import IngotQuant

/// `--method ref` against the gguf package's bytes (fixtures/quant): real MiniLM rows and synthetic edge cases, every
/// type, G = 32 (GGUF's own blocks) and the other sizes the fixture lists (64, 128, 256, whole rows, odd tails).
@Suite struct RefFixtureTests {
    @Test func fixturesArePresent() {
        #expect(QuantFixtures.cases.count >= 15)
        #expect(QuantFixtures.cases.contains { $0.isRealWeights })
        #expect(QuantFixtures.cases.allSatisfy { !$0.expected.isEmpty })
    }

    @Test(arguments: QuantFixtures.cases)
    func refIsBitExactWithGGUF(_ c: QuantFixtures.Case) throws {
        for e in c.expected {
            let mine = try quantize(c.values, shape: c.shape, e.dtype, group: e.groupSize, method: .ref)
            let theirs = QuantFixtures.bytes(e)
            #expect(mine.count == e.length, "\(c.name) \(e)")
            let firstDiff = zip(mine, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(mine == theirs, "\(c.name) \(e): first differing byte \(firstDiff ?? -1)")
        }
    }

    @Test(arguments: QuantFixtures.cases)
    func dequantizeMatchesGGUF(_ c: QuantFixtures.Case) throws {
        for e in c.expected {
            let floats = try dequantize(QuantFixtures.bytes(e), shape: c.shape, e.dtype, group: e.groupSize)
            let hash = floats.withUnsafeBytes { XXH3.hash($0) }
            #expect(hash == e.dequantizedXXH3, "\(c.name) \(e)")
        }
    }

    /// The same bytes from the portable kernels (what a CPU without AVX2 runs).
    @Test(arguments: QuantFixtures.cases)
    func portableRefIsBitExactToo(_ c: QuantFixtures.Case) throws {
        for e in c.expected {
            let mine = try quantize(c.values, shape: c.shape, e.dtype, group: e.groupSize, method: .ref, kernels: .portable)
            #expect(mine == QuantFixtures.bytes(e), "\(c.name) \(e)")
        }
    }
}
