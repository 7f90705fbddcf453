
/// Load-time checks against a `WeightProvider`: every tensor the config implies must exist with the right shape
/// before the first forward call, so a wrong file fails at once and names the tensor.
struct WeightLoader {
    let weights: any WeightProvider

    func expect(_ name: String, _ shape: [Int]) throws {
        guard let s = weights.shape(name) else { throw ModelError.missingTensor(name) }
        guard s == shape else { throw ModelError.shapeMismatch(tensor: name, expected: shape, found: s) }
    }

    /// A 1-D tensor of `count` floats.
    func vector(_ name: String, _ count: Int) throws -> [Float] {
        try expect(name, [count])
        let v = try weights.matrix(name)
        guard v.count == count else { throw ModelError.shapeMismatch(tensor: name, expected: [count], found: [v.count]) }
        return v
    }

    /// A 1-D tensor that may be absent; present with the wrong shape is still an error.
    func optionalVector(_ name: String, _ count: Int) throws -> [Float]? {
        weights.shape(name) == nil ? nil : try vector(name, count)
    }
}
