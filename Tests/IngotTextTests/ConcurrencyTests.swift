import Testing

@testable import IngotText

/// A Tokenizer is shared between threads (its word cache is behind a mutex): concurrent encodes give what one
/// thread gives.
@Suite struct ConcurrencyTests {
    @Test func concurrentEncodesAgree() async throws {
        let tok = try TextFixtures.tokenizer("llama3")
        let strings = Array(TextFixtures.corpus.prefix(600))
        let sequential = strings.map { tok.encode($0).ids }
        let results = await withTaskGroup(of: (Int, [[Int]]).self) { group in
            for worker in 0..<4 {
                group.addTask {
                    (worker, strings.map { tok.encode($0).ids })
                }
            }
            var all: [(Int, [[Int]])] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 4)
        for (_, ids) in results { #expect(ids == sequential) }
    }
}
