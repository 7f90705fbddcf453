
/// An encoder's output for one sequence: the last hidden states, row-major [positions, width], and the pooler's
/// output ([CLS] state through dense + tanh) when the model has a pooler.
public struct HiddenStates: Sendable, Equatable {
    public let positions: Int
    public let width: Int
    public var values: [Float]
    public var pooler: [Float]?

    public init(positions: Int, width: Int, values: [Float], pooler: [Float]? = nil) {
        precondition(values.count == positions * width, "HiddenStates: \(values.count) values for \(positions) × \(width)")
        self.positions = positions
        self.width = width
        self.values = values
        self.pooler = pooler
    }

    public func row(_ i: Int) -> ArraySlice<Float> { values[(i * width)..<((i + 1) * width)] }

    /// The mean over positions (sentence-transformers' mean pooling of an unpadded sequence), summed in double.
    public var mean: [Float] {
        var acc = [Double](repeating: 0, count: width)
        for i in 0..<positions { for (j, v) in row(i).enumerated() { acc[j] += Double(v) } }
        return acc.map { Float($0 / Double(max(positions, 1))) }
    }

    /// The first position's state ([CLS] pooling).
    public var first: [Float] { positions > 0 ? Array(row(0)) : [] }

    /// `v` scaled to unit L2 norm (sentence-transformers' Normalize: x / max(‖x‖, 1e-12)).
    public static func normalized(_ v: [Float]) -> [Float] {
        let norm = max(v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot(), 1e-12)
        return v.map { Float(Double($0) / norm) }
    }
}
