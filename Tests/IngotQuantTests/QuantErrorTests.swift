import Foundation
import Testing

@testable import IngotQuant

@Suite struct QuantErrorTests {
    @Test func figuresOfAKnownCase() throws {
        let x: [Float] = [1, -2, 3, 4]
        let y: [Float] = [1, -2, 3.5, 3.5]
        let e = try measure(x, y)
        #expect(e.count == 4)
        #expect(abs(e.rmse - (0.5 / 4).squareRoot()) < 1e-12)
        #expect(abs(e.sqnrDB - 10 * log10(30 / 0.5)) < 1e-9)
        #expect(e.maxAbs == 0.5)
        #expect(try measure(x, x).sqnrDB == .infinity)
    }

    /// Weighted: sqrt(Σ w e² / Σ w), columns repeating every importance.count elements.
    @Test func weightedFigures() throws {
        let x: [Float] = [0, 0, 0, 0]
        let y: [Float] = [1, 2, 1, 2]
        let e = try measure(x, y, importance: [3, 1])
        #expect(abs(e.rmse - ((3 * 1 + 1 * 4) * 2 / 8.0).squareRoot()) < 1e-12)
        #expect(e.maxAbs == 2)
    }
}
