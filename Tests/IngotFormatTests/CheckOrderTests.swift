import Testing
@testable import IngotFormat

/// specs/format.md §2's order of checks where it is not obvious: each file here breaks two rules, and the error
/// must name the one the order puts first. Also §8: unknown dtypes, encoding types and filters are errors in a file
/// of a newer minor version too, while unknown keys are then ignored.
@Suite struct CheckOrderTests {
    func entry(_ fields: String) -> [UInt8] {
        craft(header: header(["{\"name\":\"w\",\(fields)}"]), data: [UInt8](repeating: 0, count: 8))
    }

    let sum = XXH3.hexString(XXH3.hash([UInt8](repeating: 0, count: 8)))

    @Test func groupSizeValueBeforeElementCount() {
        // group_size must be an integer in [1, 2^20] before the shape's element count is computed…
        let bad = entry("\"dtype\":\"f32\",\"shape\":[4611686018427387904,4],\"group_size\":\"x\",\"offset\":0,\"length\":8,\"encoding\":\"raw\",\"xxh3\":\"\(sum)\"")
        guard case .badGroupSize(tensor: "w", reason: _) = validationError(bad) else {
            Issue.record("\(String(describing: validationError(bad)))"); return
        }
        // …but the group-size rules of §6 (even, ≥ 2, only on block types) come after it.
        let one = entry("\"dtype\":\"q8_0\",\"shape\":[4611686018427387904,4],\"group_size\":1,\"offset\":0,\"length\":8,\"encoding\":\"raw\",\"xxh3\":\"\(sum)\"")
        #expect(validationError(one) == .sizeOverflow(tensor: "w"))
    }

    @Test func missingKeyIsReportedInOrder() {
        // No offset and a bad checksum string: offset comes first.
        let bad = entry("\"dtype\":\"f32\",\"shape\":[2],\"length\":8,\"encoding\":\"raw\",\"xxh3\":\"XYZ\"")
        #expect(validationError(bad) == .invalidHeader("tensor \"w\": missing integer \"offset\""))
    }

    @Test func encodingTypeBeforeUnknownEncodingKeys() {
        let enc = "{\"type\":\"zz\",\"bogus\":1,\"chunk_size\":64,\"filter\":\"none\"}"
        let bad = entry("\"dtype\":\"f32\",\"shape\":[2],\"offset\":0,\"length\":8,\"encoding\":\(enc),\"xxh3\":\"\(sum)\"")
        #expect(validationError(bad) == .unknownEncoding(tensor: "w", encoding: "zz"))
    }

    @Test func filterBeforeChunkSize() {
        let enc = "{\"type\":\"chunked\",\"chunk_size\":-1,\"filter\":\"zz\"}"
        let bad = entry("\"dtype\":\"f32\",\"shape\":[2],\"offset\":0,\"length\":8,\"encoding\":\(enc),\"xxh3\":\"\(sum)\"")
        #expect(validationError(bad) == .unknownEncoding(tensor: "w", encoding: "chunked filter zz"))
    }

    @Test func everyEncodingKeyIsRequired() {
        for missing in ["type", "chunk_size", "filter"] {
            let keys = [("type", "\"chunked\""), ("chunk_size", "64"), ("filter", "\"none\"")].filter { $0.0 != missing }
            let enc = "{" + keys.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
            let bad = entry("\"dtype\":\"f32\",\"shape\":[2],\"offset\":0,\"length\":8,\"encoding\":\(enc),\"xxh3\":\"\(sum)\"")
            guard case .invalidHeader = validationError(bad) else {
                Issue.record("without \(missing): \(String(describing: validationError(bad)))"); continue
            }
        }
    }

    @Test func newerMinorIgnoresUnknownKeysButNotUnknownValues() {
        func file(_ fields: String, data: Int = 8) -> [UInt8] {
            craft(header: header(["{\"name\":\"w\",\(fields)}"]), data: [UInt8](repeating: 0, count: data), minor: 1)
        }
        // An unknown encoding key is ignored in a newer minor version.
        let extra = "{\"type\":\"chunked\",\"chunk_size\":64,\"filter\":\"none\",\"level\":3}"
        let ok = file("\"dtype\":\"f32\",\"shape\":[0],\"offset\":0,\"length\":0,\"encoding\":\(extra),\"xxh3\":\"\(XXH3.hexString(XXH3.hash([])))\",\"future\":1", data: 0)
        #expect(validationError(ok) == nil)
        // Unknown values are errors whatever the minor version.
        let filter = "{\"type\":\"chunked\",\"chunk_size\":64,\"filter\":\"delta\"}"
        #expect(validationError(file("\"dtype\":\"f32\",\"shape\":[2],\"offset\":0,\"length\":8,\"encoding\":\(filter),\"xxh3\":\"\(sum)\""))
                == .unknownEncoding(tensor: "w", encoding: "chunked filter delta"))
        let type = "{\"type\":\"sparse\",\"chunk_size\":64,\"filter\":\"none\"}"
        #expect(validationError(file("\"dtype\":\"f32\",\"shape\":[2],\"offset\":0,\"length\":8,\"encoding\":\(type),\"xxh3\":\"\(sum)\""))
                == .unknownEncoding(tensor: "w", encoding: "sparse"))
        #expect(validationError(file("\"dtype\":\"f8\",\"shape\":[2],\"offset\":0,\"length\":8,\"encoding\":\"raw\",\"xxh3\":\"\(sum)\""))
                == .unknownDType(tensor: "w", dtype: "f8"))
    }
}
