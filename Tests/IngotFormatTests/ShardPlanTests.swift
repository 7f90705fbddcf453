import Testing
@testable import IngotFormat

/// How a model is cut into shards and the shards shared among the parts of a job array.
@Suite struct ShardPlanTests {
    @Test func cutsConsecutiveRunsAtTheLimit() throws {
        let plan = try ShardPlan(sizes: [40, 40, 40, 10, 90, 5], maxBytes: 100)
        #expect(plan.shards.map(\.tensors) == [0..<2, 2..<4, 4..<6])
        #expect(plan.shards.map(\.bytes) == [80, 50, 95])
        #expect(plan.shardOfTensor == [0, 0, 1, 1, 2, 2])
        #expect(plan.shards.allSatisfy { $0.bytes <= 100 })
    }

    @Test func aTensorLargerThanTheLimitIsAShardOfItsOwn() throws {
        let plan = try ShardPlan(sizes: [10, 500, 10], maxBytes: 100)
        #expect(plan.shards.map(\.tensors) == [0..<1, 1..<2, 2..<3])
    }

    @Test func aModelWithoutTensorsIsOneEmptyShard() throws {
        let plan = try ShardPlan(sizes: [], maxBytes: 100)
        #expect(plan.shards.count == 1)
        #expect(plan.shards[0].tensors.isEmpty)
    }

    @Test func aShardSizeMustBePositive() {
        #expect(throws: IngotError.self) { try ShardPlan(sizes: [1], maxBytes: 0) }
    }

    @Test func tooManyShardsAreRefused() {
        #expect(throws: IngotError.self) { try ShardPlan(sizes: [Int](repeating: 2, count: 100_000), maxBytes: 1) }
    }

    @Test func partsGetContiguousBalancedRunsOfShards() throws {
        let plan = try ShardPlan(sizes: [Int](repeating: 10, count: 12), maxBytes: 10)
        let owner = plan.partOfShard(parts: 3)
        #expect(owner == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
        // Every shard has exactly one part, parts never interleave, and the assignment does not depend on anything
        // but the plan.
        for n in 1...15 {
            let o = plan.partOfShard(parts: n)
            #expect(o == o.sorted())
            #expect(o.allSatisfy { (0..<n).contains($0) })
            #expect(o == plan.partOfShard(parts: n))
        }
    }

    @Test func unevenShardsAreBalancedByBytes() throws {
        // One big shard and many small ones: the big one is a part on its own.
        let plan = try ShardPlan(sizes: [1000] + [Int](repeating: 100, count: 10), maxBytes: 100)
        #expect(plan.partOfShard(parts: 2) == [0] + [Int](repeating: 1, count: 10))
    }

    @Test func fileNamesRoundTrip() {
        #expect(ShardPlan.fileName(stem: "model", number: 3, count: 12, ext: "ingot") == "model-00003-of-00012.ingot")
        let p = ShardPlan.parseFileName("my-model-00003-of-00012.gguf", ext: "gguf")
        #expect(p?.stem == "my-model" && p?.number == 3 && p?.count == 12)
        for bad in ["model-3-of-12.gguf", "model-00013-of-00012.gguf", "model-00000-of-00012.gguf", "-00001-of-00001.gguf",
                    "model-00001-of-00002.ingot", "model-0000x-of-00002.gguf"] {
            #expect(ShardPlan.parseFileName(bad, ext: "gguf") == nil, "\(bad)")
        }
    }

    @Test func sizesReadLikeHuggingFace() {
        #expect(parseByteSize("5GB") == 5_000_000_000)
        #expect(parseByteSize("500MB") == 500_000_000)
        #expect(parseByteSize("2GiB") == 2 << 30)
        #expect(parseByteSize("1.5kB") == 1500)
        #expect(parseByteSize("4096") == 4096)
        for bad in ["", "GB", "-1GB", "5XB", "0", "nanGB", "1e30TB"] { #expect(parseByteSize(bad) == nil, "\(bad)") }
    }
}
