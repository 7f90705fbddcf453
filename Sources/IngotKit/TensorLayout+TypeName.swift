import IngotFormat

extension TensorLayout {
    /// The dtype with its group size when the type has a free one ("q4_0/g32", "bf16", "q4_k"): the type column of
    /// every report. ggml's fixed-layout types need no group size: it is part of the type.
    public var typeName: String {
        guard let g = groupSize, dtype.fixedGroupSize == nil else { return dtype.rawValue }
        return "\(dtype.rawValue)/g\(g)"
    }
}
