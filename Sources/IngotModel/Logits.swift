
/// Next-token logits for consecutive positions, row-major [positions, vocab].
public struct Logits: Sendable, Equatable {
    public let positions: Int
    public let vocab: Int
    public var values: [Float]

    public init(positions: Int, vocab: Int, values: [Float]) {
        precondition(values.count == positions * vocab, "Logits: \(values.count) values for \(positions) × \(vocab)")
        self.positions = positions
        self.vocab = vocab
        self.values = values
    }

    public func row(_ i: Int) -> ArraySlice<Float> { values[(i * vocab)..<((i + 1) * vocab)] }

    /// The top token at position `i` (the first one on ties, as torch.argmax).
    public func argmax(_ i: Int) -> Int { Self.argmax(row(i)) }

    /// The index (from 0) of the largest value of `v`, the first one on ties, as torch.argmax on finite values.
    public static func argmax(_ v: ArraySlice<Float>) -> Int {
        var best = v.startIndex
        for j in v.indices where v[j] > v[best] { best = j }
        return best - v.startIndex
    }
}
