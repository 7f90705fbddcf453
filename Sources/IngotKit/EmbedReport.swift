import IngotFormat
import IngotInterop
import IngotModel

/// An encoder's output for one sequence: a pooled sentence embedding [width], or the hidden states [positions, width]
/// when the pooling is `.none`.
public struct EmbedReport: Sendable {
    public let model: String
    public let tokens: [Int]
    public let pooling: Pooling
    public let positions: Int
    public let width: Int
    public let values: [Float]

    /// [width] for a pooled embedding, [positions, width] for hidden states.
    public var shape: [Int] { pooling.mode == .none ? [positions, width] : [width] }

    /// L2 norm of the embedding (of all values for hidden states), in double.
    public var norm: Double { values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }

    /// Writes the values as an f32 `.npy` array of `shape`; an existing file is replaced only with `overwrite`.
    public func writeNpy(to path: String, overwrite: Bool = false) throws {
        try NpyWriter.writeFloat32(path: path, shape: shape, values: values, overwrite: overwrite)
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("model", .string(model)), ("tokens", .array(tokens.map(JSONValue.integer))),
            ("pooling", .string(pooling.mode.rawValue)), ("normalized", .bool(pooling.normalize)),
            ("shape", .array(shape.map(JSONValue.integer))), ("norm", .number(norm)),
            ("values", .array(values.map { .number(Double($0)) })),
        ]))
    }
}
