import IngotFormat
import Testing

@testable import IngotQuant

/// Every QuantizationError case, raised by the rule it names.
@Suite struct ErrorTests {
    let x = [Float](repeating: 0.25, count: 64)

    @Test func unsupportedDType() {
        #expect(throws: QuantizationError.unsupportedDType(tensor: "w", dtype: .f16)) {
            _ = try quantize(x, shape: [64], .f16, name: "w")
        }
    }

    @Test(arguments: [33, 0, -2, 1, Limits.maxGroupSize + 2])
    func badGroupSize(_ g: Int) {
        #expect(throws: QuantizationError.badGroupSize(tensor: "w", groupSize: g)) {
            _ = try quantize(x, shape: [64], .q8_0, group: g, name: "w")
        }
    }

    @Test func rowNotDivisibleByGroup() {
        #expect(throws: QuantizationError.rowNotDivisible(tensor: "w", rowLength: 96, groupSize: 64)) {
            _ = try quantize([Float](repeating: 1, count: 192), shape: [2, 96], .q4_0, group: 64, name: "w")
        }
    }

    @Test func badShapes() {
        for shape in [[], [-1, 32], [1, 1, 1, 1, 1, 1, 1, 1, 1, 64], [1 << 40, 1 << 40, 64]] {
            #expect {
                _ = try quantize(x, shape: shape, .q4_1, name: "w")
            } throws: { e in
                if case .badShape(tensor: "w", _) = e as? QuantizationError { return true }
                return false
            }
        }
    }

    @Test func valueCountMismatch() {
        #expect(throws: QuantizationError.valueCountMismatch(tensor: "w", expected: 96, got: 64)) {
            _ = try quantize(x, shape: [3, 32], .q8_0, name: "w")
        }
    }

    @Test func importanceOfWrongLength() {
        #expect(throws: QuantizationError.importanceLength(tensor: "w", expected: 32, got: 31)) {
            _ = try quantize(x, shape: [2, 32], .q4_0, method: .search, importance: [Float](repeating: 1, count: 31), name: "w")
        }
    }

    @Test(arguments: [Float(-1), .nan, .infinity, -.infinity, -Float.leastNonzeroMagnitude])
    func importanceWithBadWeight(_ w: Float) {
        var imp = [Float](repeating: 1, count: 32)
        imp[17] = w
        #expect(throws: QuantizationError.badImportance(tensor: "w", index: 17)) {
            _ = try quantize(x, shape: [2, 32], .q4_1, method: .search, importance: imp, name: "w")
        }
    }

    @Test func importanceNeedsSearch() {
        #expect(throws: QuantizationError.importanceNeedsSearch(tensor: "w")) {
            _ = try quantize(x, shape: [2, 32], .q8_0, method: .ref, importance: [Float](repeating: 1, count: 32), name: "w")
        }
    }

    @Test func dequantizeChecksSizes() throws {
        let layout = try TensorLayout(name: "t", dtype: .q4_1, shape: [2, 64], groupSize: 32)  // 4 blocks of 20
        for n in [0, 79, 81, 160] {
            #expect(throws: IngotError.lengthMismatch(tensor: "t", stored: n, expected: 80)) {
                _ = try [UInt8](repeating: 0, count: n).withUnsafeBytes { try BlockCodec.floats($0, layout: layout, name: "t") }
            }
        }
        var small = [Float](repeating: 0, count: 127)
        #expect(throws: IngotError.self) {
            try [UInt8](repeating: 0, count: 80).withUnsafeBytes { raw in
                try small.withUnsafeMutableBufferPointer { try BlockCodec.decode(raw, layout: layout, into: $0) }
            }
        }
    }

    @Test func measureChecksCounts() {
        #expect(throws: QuantizationError.outputCountMismatch(expected: 64, got: 63)) {
            _ = try measure(x, Array(x.dropLast()))
        }
        #expect(throws: QuantizationError.importanceLength(tensor: "", expected: 48, got: 48)) {
            _ = try measure(x, x, importance: [Float](repeating: 1, count: 48))
        }
    }

    /// Messages are one line, name the tensor (quoted, control characters escaped) and say what to do.
    @Test func descriptionsAreOneLineAndNameTheTensor() {
        let errors: [QuantizationError] = [
            .unsupportedDType(tensor: "a\nb", dtype: .f32), .badGroupSize(tensor: "a\nb", groupSize: 3),
            .rowNotDivisible(tensor: "a\nb", rowLength: 10, groupSize: 4), .badShape(tensor: "a\nb", reason: "scalar"),
            .valueCountMismatch(tensor: "a\nb", expected: 1, got: 2), .nonFinite(tensor: "a\nb", index: 5),
            .scaleOverflow(tensor: "a\nb", group: 2, groupSize: 32), .importanceLength(tensor: "a\nb", expected: 3, got: 4),
            .badImportance(tensor: "a\nb", index: 1), .importanceNeedsSearch(tensor: "a\nb"),
        ]
        for e in errors {
            #expect(!e.description.contains("\n"))
            #expect(e.description.contains("\"a\\u{a}b\""), "\(e)")
        }
        #expect(QuantizationError.scaleOverflow(tensor: "w", group: 2, groupSize: 32).description.contains("64..<96"))
        #expect(QuantizationError.nonFinite(tensor: "w", index: 5).description.contains("element 5"))
    }
}
