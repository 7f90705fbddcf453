import IngotFormat

/// What `Quantizer.quantize` produces and how.
public struct QuantizeOptions: Sendable, Equatable {
    /// `q8_0`, `q4_0` or `q4_1`.
    public var dtype: DType
    /// Elements per group along the last dimension: even, in [2, 1,048,576], dividing the row length. 32 matches
    /// GGUF; 64, 128 and 256 trade error for fewer scale bytes; the row length itself gives one group per row.
    public var groupSize: Int
    public var method: QuantMethod
    /// One non-negative finite weight per column (the last dimension), e.g. mean squared calibration activations:
    /// `search` then minimises the weighted squared error Σ importance[column] · error². Only scale matters (the
    /// vector is divided by its maximum); an all-zero vector, or a group whose weights are all zero, means
    /// unweighted. `ref` takes no importance.
    public var importance: [Float]?
    /// Worker threads (values below 1 mean 1). The output does not depend on it.
    public var threads: Int
    /// Kernel build; tests force `.portable` to compare it with AVX2.
    var kernels: KernelPath = .best

    public init(
        dtype: DType, groupSize: Int = 32, method: QuantMethod = .search, importance: [Float]? = nil,
        threads: Int = Parallel.cpuCount
    ) {
        self.dtype = dtype
        self.groupSize = groupSize
        self.method = method
        self.importance = importance
        self.threads = threads
    }
}
