@testable import IngotModel

/// A provider that pretends some tensors do not exist, or have another shape.
final class AlteredWeights: WeightProvider {
    let base: any WeightProvider
    let hidden: Set<String>
    let shapes: [String: [Int]]

    init(_ base: any WeightProvider, hiding: Set<String> = [], shapes: [String: [Int]] = [:]) {
        self.base = base
        self.hidden = hiding
        self.shapes = shapes
    }

    func shape(_ name: String) -> [Int]? { hidden.contains(name) ? nil : shapes[name] ?? base.shape(name) }

    func matrix(_ name: String) throws -> [Float] {
        guard !hidden.contains(name) else { throw ModelError.missingTensor(name) }
        return try base.matrix(name)
    }

    func rows(_ name: String, _ rows: [Int]) throws -> [Float] {
        guard !hidden.contains(name) else { throw ModelError.missingTensor(name) }
        return try base.rows(name, rows)
    }
}
