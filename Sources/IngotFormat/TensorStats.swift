internal import CIngotKernels

/// Summary statistics of a tensor's values (over finite values; NaN and infinities counted apart).
public struct TensorStats: Sendable, Equatable {
    public var count = 0
    public var nanCount = 0
    public var infCount = 0
    public var min = Double.nan
    public var max = Double.nan
    public var mean = Double.nan
    public var std = Double.nan

    /// Converts to f32 in blocks (bounded memory) and accumulates in f64.
    public static func compute(_ bytes: UnsafeRawBufferPointer, dtype: DType) throws(IngotError) -> TensorStats {
        guard let size = dtype.scalarSize else { throw .unsupported("statistics of \(dtype) need dequantization") }
        let n = bytes.count / size
        var st = ingot_stats()
        ingot_stats_init(&st)
        try FloatConversion.forEachBlock(bytes, dtype: dtype) { (_, values) throws(IngotError) in
            ingot_stats_f32(values.baseAddress, values.count, &st)
        }
        var s = TensorStats()
        s.count = n
        s.nanCount = Int(st.nan)
        s.infCount = Int(st.inf)
        if st.finite > 0 {
            let f = Double(st.finite)
            s.min = Double(st.min)
            s.max = Double(st.max)
            s.mean = st.sum / f
            s.std = (Swift.max(0, st.sumsq / f - s.mean * s.mean)).squareRoot()
        }
        return s
    }
}
