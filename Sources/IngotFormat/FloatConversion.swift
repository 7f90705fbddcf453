internal import CIngotKernels

/// Conversions between element types: any dtype to f32 for statistics and compute, and float casts for
/// `--dtype`. Float kernels are in C (F16C where the CPU has it), so no conversion costs a call per element.
public enum FloatConversion {
    /// Decodes `count` elements of `dtype` at `src` into `dst` as f32. Integer and bool elements convert by value.
    public static func toFloat(_ src: UnsafeRawBufferPointer, dtype: DType, into dst: UnsafeMutableBufferPointer<Float>) throws(IngotError) {
        guard let size = dtype.scalarSize else { throw .unsupported("cannot convert \(dtype) to f32 without dequantization") }
        let n = dst.count
        guard src.count == n * size else { throw .unsupported("\(src.count) bytes do not hold \(n) \(dtype) elements") }
        guard n > 0 else { return }
        let s = src.baseAddress, d = dst.baseAddress
        switch dtype {
        case .f32: ingot_f32_load(s, d, n)
        case .f16: ingot_f16_to_f32(s, d, n)
        case .bf16: ingot_bf16_to_f32(s, d, n)
        case .f64: ingot_f64_to_f32(s, d, n)
        case .i8: for i in 0..<n { dst[i] = Float(src.load(fromByteOffset: i, as: Int8.self)) }
        case .u8, .bool: for i in 0..<n { dst[i] = Float(src[i]) }
        case .i16: for i in 0..<n { dst[i] = Float(Int16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
        case .i32: for i in 0..<n { dst[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .i64: for i in 0..<n { dst[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q2_k, .q3_k, .q4_k, .q5_k, .q6_k, .iq4_nl:
            throw .unsupported("cannot convert \(dtype) to f32 without dequantization")
        }
    }

    public static func toFloats(_ src: UnsafeRawBufferPointer, dtype: DType) throws(IngotError) -> [Float] {
        guard let size = dtype.scalarSize else { throw .unsupported("cannot convert \(dtype) to f32 without dequantization") }
        let n = src.count / size
        var err: IngotError? = nil
        let out = [Float](unsafeUninitializedCapacity: n) { buf, count in
            if case let .failure(e) = Result(catching: { () throws(IngotError) in try toFloat(src, dtype: dtype, into: buf) }) { err = e }
            count = n
        }
        if let err { throw err }
        return out
    }

    /// Writes f32 values as `dtype` (f32, f16, bf16): round to nearest even, NaN and infinities preserved.
    public static func fromFloat(_ src: UnsafeBufferPointer<Float>, to dtype: DType, into dst: UnsafeMutableRawBufferPointer) throws(IngotError) {
        let n = src.count
        guard let size = dtype.scalarSize, dst.count == n * size else { throw .unsupported("bad cast target buffer") }
        guard n > 0 else { return }
        switch dtype {
        case .f32: dst.copyMemory(from: UnsafeRawBufferPointer(src))
        case .f16: ingot_f32_to_f16(src.baseAddress, dst.baseAddress, n)
        case .bf16: ingot_f32_to_bf16(src.baseAddress, dst.baseAddress, n)
        default: throw .unsupported("cannot cast to \(dtype) (float targets are f32, f16, bf16)")
        }
    }

    /// Converts `src` (elements of `dtype`) to f32 in blocks of 64 Ki elements, calling `body(firstIndex, values)` for
    /// each: bounded memory whatever the tensor size.
    public static func forEachBlock(_ src: UnsafeRawBufferPointer, dtype: DType,
                                    _ body: (Int, UnsafeBufferPointer<Float>) throws(IngotError) -> Void) throws(IngotError) {
        guard let size = dtype.scalarSize else { throw .unsupported("cannot convert \(dtype) to f32 without dequantization") }
        let n = src.count / size
        let block = 1 << 16
        var tmp = [Float](repeating: 0, count: min(n, block))
        var i = 0
        while i < n {
            let m = min(block, n - i)
            let piece = UnsafeRawBufferPointer(rebasing: src[(i * size)..<((i + m) * size)])
            let start = i
            let r: Result<Void, IngotError> = tmp.withUnsafeMutableBufferPointer { t in
                Result { () throws(IngotError) in
                    let part = UnsafeMutableBufferPointer(rebasing: t[0..<m])
                    try toFloat(piece, dtype: dtype, into: part)
                    try body(start, UnsafeBufferPointer(part))
                }
            }
            try r.get()
            i += m
        }
    }

    /// Casts a float tensor to `target` (f32, f16 or bf16) in bounded pieces. Non-float tensors cannot be cast.
    /// f64 sources narrow through f32, so a value exactly between two f16/bf16 neighbours after that first rounding
    /// may round differently than a direct f64 → f16 rounding would.
    public static func cast(_ src: UnsafeRawBufferPointer, from: DType, to target: DType) throws(IngotError) -> TensorBuffer {
        guard from.isFloat, [.f32, .f16, .bf16].contains(target), let inSize = from.scalarSize, let outSize = target.scalarSize
        else { throw .unsupported("cannot cast \(from) to \(target)") }
        let n = src.count / inSize
        let out = OwnedBytes(count: n * outSize)
        try forEachBlock(src, dtype: from) { (start, values) throws(IngotError) in
            let dst = UnsafeMutableRawBufferPointer(rebasing: out.mutable[(start * outSize)..<((start + values.count) * outSize)])
            try fromFloat(values, to: target, into: dst)
        }
        return TensorBuffer(out)
    }
}
