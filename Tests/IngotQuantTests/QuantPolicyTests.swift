import IngotFormat
import Testing

@testable import IngotQuant

/// The `--quantize` policy: which tensors get which type, one test per rule.
@Suite struct QuantPolicyTests {
    func d(_ name: String, _ shape: [Int], _ dtype: DType = .f32, group: Int? = nil) throws -> TensorDescriptor {
        TensorDescriptor(name: name, layout: try TensorLayout(name: name, dtype: dtype, shape: shape, groupSize: group))
    }

    @Test func twoDimensionalFloatWeightsAreQuantized() throws {
        let p = try QuantPolicy(dtype: .q4_0, groupSize: 32)
        #expect(p.decide(try d("w", [64, 128], .bf16)) == .quantize(.q4_0, groupSize: 32, note: nil))
    }

    @Test func oneDimensionalTensorsStayFloat() throws {
        let p = try QuantPolicy(dtype: .q4_0, groupSize: 32)
        #expect(p.decide(try d("norm", [64])) == .keep(reason: "1-D", cast: nil))
    }

    @Test func integerTensorsStayAsTheyAre() throws {
        let p = try QuantPolicy(dtype: .q4_0, groupSize: 32)
        #expect(p.decide(try d("ids", [4, 64], .i64)) == .keep(reason: "integer", cast: nil))
    }

    @Test func higherRankStaysFloat() throws {
        let p = try QuantPolicy(dtype: .q8_0, groupSize: 32)
        #expect(p.decide(try d("conv", [8, 8, 64])) == .keep(reason: "rank 3", cast: nil))
    }

    @Test func keepRegexWins() throws {
        let p = try QuantPolicy(dtype: .q4_0, groupSize: 32, keep: ["lm_head"], typeFor: ["lm_head=q8_0"])
        #expect(p.decide(try d("lm_head.weight", [256, 64])) == .keep(reason: "kept by lm_head", cast: nil))
    }

    @Test func typeForOverridesTheType() throws {
        let p = try QuantPolicy(dtype: .q4_0, groupSize: 32, typeFor: ["embed|lm_head=q8_0"])
        #expect(p.decide(try d("model.embed_tokens.weight", [256, 64])) == .quantize(.q8_0, groupSize: 32, note: nil))
        #expect(p.decide(try d("model.layers.0.mlp.up_proj.weight", [64, 64])) == .quantize(.q4_0, groupSize: 32, note: nil))
    }

    @Test func typeForFloatTypeCasts() throws {
        let p = try QuantPolicy(dtype: .q4_0, groupSize: 32, typeFor: ["head=f16"])
        #expect(p.decide(try d("head", [256, 64])) == .keep(reason: "f16 by head", cast: .f16))
    }

    @Test func firstMatchingRuleWins() throws {
        let p = try QuantPolicy(dtype: .q4_0, groupSize: 32, typeFor: ["proj=q8_0", "up_proj=q4_1"])
        #expect(p.decide(try d("up_proj", [64, 64])) == .quantize(.q8_0, groupSize: 32, note: nil))
    }

    @Test func rowNotDivisibleFallsBackToASmallerListedGroup() throws {
        let p = try QuantPolicy(dtype: .q4_0, groupSize: 128)
        #expect(p.decide(try d("w", [8, 96])) == .quantize(.q4_0, groupSize: 32, note: "row 96 ∤ 128: g32"))
    }

    @Test func rowNotDivisibleByAnyListedGroupUsesTheWholeRow() throws {
        let p = try QuantPolicy(dtype: .q4_0, groupSize: 32)
        #expect(p.decide(try d("w", [8, 176])) == .quantize(.q4_0, groupSize: 176, note: "row 176 ∤ 32: whole row"))
    }

    @Test func oddRowLengthStaysFloat() throws {
        let p = try QuantPolicy(dtype: .q4_0, groupSize: 32)
        #expect(p.decide(try d("w", [8, 33])) == .keep(reason: "odd row length 33", cast: nil))
    }

    @Test func rowLongerThanTheLargestGroupStaysFloat() throws {
        // 2^20 + 2 is even but no group may be that long; 2^20 + 16 is divisible by 16, not by 32.
        let long = Limits.maxGroupSize + 16
        let p = try QuantPolicy(dtype: .q4_0, groupSize: 32)
        #expect(p.decide(try d("w", [1, long])) == .keep(reason: "row length \(long) over 1048576", cast: nil))
        let row = try QuantPolicy(dtype: .q4_0, groupSize: QuantPolicy.wholeRow)
        #expect(row.decide(try d("w", [1, long])) == .keep(reason: "row length \(long) over 1048576", cast: nil))
        #expect(row.decide(try d("w", [1, 33])) == .keep(reason: "odd row length 33", cast: nil))
    }

    @Test func wholeRowGroupSize() throws {
        let p = try QuantPolicy(dtype: .q8_0, groupSize: QuantPolicy.wholeRow)
        #expect(p.decide(try d("w", [4, 576])) == .quantize(.q8_0, groupSize: 576, note: nil))
    }

    @Test func alreadyQuantizedToTheSameTypeIsKept() throws {
        let p = try QuantPolicy(dtype: .q4_0, groupSize: 32)
        #expect(p.decide(try d("w", [4, 64], .q4_0, group: 32)) == .keep(reason: "already q4_0", cast: nil))
    }

    @Test func badRegexIsAClearError() {
        #expect(throws: IngotError.self) { try QuantPolicy(dtype: .q4_0, groupSize: 32, keep: ["("]) }
    }

    @Test func badGroupSizeIsRefused() {
        #expect(throws: IngotError.self) { try QuantPolicy(dtype: .q4_0, groupSize: 33) }
    }

    @Test func nonBlockTargetIsRefused() {
        #expect(throws: IngotError.self) { try QuantPolicy(dtype: .f16, groupSize: 32) }
    }

    @Test func typeOverrideSpecSplitsAtTheLastEquals() throws {
        let o = try TypeOverride(parsing: "a=b=q8_0")
        #expect(o.pattern == "a=b" && o.dtype == .q8_0)
    }

    @Test func typeOverrideWithoutEqualsIsRefused() {
        #expect(throws: IngotError.self) { try TypeOverride(parsing: "lm_head") }
    }

    @Test func typeOverrideToAnIntegerTypeIsRefused() {
        #expect(throws: IngotError.self) { try TypeOverride(pattern: "x", dtype: .i32) }
    }

    @Test func errorsDescribeTheProblemWithoutCLIFlags() {
        let bad: [() throws -> Void] = [
            { _ = try QuantPolicy(dtype: .f16, groupSize: 32) }, { _ = try QuantPolicy(dtype: .q4_0, groupSize: 33) },
            { _ = try TypeOverride(parsing: "x") }, { _ = try TypeOverride(parsing: "x=q5") },
        ]
        for make in bad {
            do { try make(); Issue.record("accepted") } catch { #expect(!"\(error)".contains("--"), "\(error)") }
        }
    }
}
