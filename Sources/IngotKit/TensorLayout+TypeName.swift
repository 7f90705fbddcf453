import IngotFormat

extension TensorLayout {
    /// The dtype with its group size when it has one ("q4_0/g32", "bf16"): the type column of every report.
    public var typeName: String { groupSize.map { "\(dtype.rawValue)/g\($0)" } ?? dtype.rawValue }
}
