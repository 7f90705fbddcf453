
/// Load-time checks against a `WeightProvider`: every tensor the config implies must exist with the right shape
/// before the first forward call, so a wrong file fails at once and names the tensor.
struct WeightLoader {
    let weights: any WeightProvider

    func expect(_ name: String, _ shape: [Int]) throws {
        guard let s = weights.shape(name) else { throw ModelError.missingTensor(name) }
        guard s == shape else { throw ModelError.shapeMismatch(tensor: name, expected: shape, found: s) }
    }

    /// The config's layer count against the weights, by each layer's first tensor (`named(i)`): the last layer
    /// must be there and the one after it must not. Costs two lookups whatever the count claims.
    func expectLayerCount(_ count: Int, named: (Int) -> String) throws {
        guard count > 0, weights.shape(named(count - 1)) != nil else {
            throw ModelError.layerCountMismatch(numLayers: count, tensor: named(max(count - 1, 0)), present: false)
        }
        guard weights.shape(named(count)) == nil else {
            throw ModelError.layerCountMismatch(numLayers: count, tensor: named(count), present: true)
        }
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
