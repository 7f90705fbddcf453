internal import CIngotKernels

/// The one decoder from any stored dtype to f32: scalar types convert (`FloatConversion`), block-quantized
/// types (q8_0/q4_0/q4_1 at any group size, ggml's q5_0/q5_1 and K-quants; specs/quant.md) dequantize with the C
/// kernels. The dtype → kernel dispatch lives here and
/// nowhere else, so every reader (the forward pass, `diff`, `inspect --stats`, exports to formats without block
/// types) decodes the same bytes to the same floats.
///
/// Integer tensors convert value by value (statistics and diffs of token-type ids); the forward pass refuses them
/// itself. Work splits into fixed chunks of whole groups, so the
/// floats never depend on the thread count.
public enum BlockCodec {
    /// Groups per parallel chunk: ~32k floats, enough to amortise scheduling and to spread small tensors.
    static let chunkElements = 1 << 15

    /// Which C decoder a block dtype uses: the any-group-size kernels (q8_0/q4_0/q4_1) or ggml's fixed layouts.
    enum Kernel {
        case grouped(Int32)
        case fixed(UInt32)

        func blockBytes(_ g: Int) -> Int {
            switch self {
            case let .grouped(t): ingot_quant_block_bytes(t, g)
            case let .fixed(t): ingot_kq_block_bytes(t)
            }
        }

        func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ n: Int, _ g: Int, _ simd: Int32) {
            switch self {
            case let .grouped(t): ingot_dequantize(t, src, dst, n, g, simd)
            case let .fixed(t): _ = ingot_kq_dequantize(t, src, dst, n)
            }
        }
    }

    /// The C kernel's type id of a block dtype with a free group size (q8_0/q4_0/q4_1), nil for any other dtype.
    public static func kernelType(_ dtype: DType) -> Int32? {
        switch dtype {
        case .q8_0: INGOT_Q8_0
        case .q4_0: INGOT_Q4_0
        case .q4_1: INGOT_Q4_1
        default: nil
        }
    }

    static func kernel(_ dtype: DType) -> Kernel? {
        if let t = kernelType(dtype) { return .grouped(t) }
        return dtype.ggmlBlockType.map { .fixed($0) }
    }

    /// Decodes `bytes` (stored as `layout` describes; any bit pattern of the right size is accepted, a non-finite
    /// block scale decoding by IEEE arithmetic) into `output`, which holds exactly `layout.elementCount` floats.
    /// `name` labels errors.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, layout: TensorLayout, into output: UnsafeMutableBufferPointer<Float>,
        name: String = "tensor", threads: Int = Parallel.cpuCount, kernels: KernelPath = .best
    ) throws(IngotError) {
        guard output.count == layout.elementCount else {
            throw .unsupported("tensor \(quoted(name)): output holds \(output.count) floats, the layout needs \(layout.elementCount)")
        }
        guard let type = kernel(layout.dtype) else {
            guard bytes.count == layout.byteCount else {
                throw .lengthMismatch(tensor: name, stored: bytes.count, expected: layout.byteCount)
            }
            try FloatConversion.toFloat(bytes, dtype: layout.dtype, into: output)
            return
        }
        // A TensorLayout is validated when made; recheck what the kernel relies on anyway, with overflow checks,
        // since these bytes come from files.
        guard let g = layout.groupSize, g >= 2, g % 2 == 0, layout.elementCount % g == 0,
            layout.dtype.fixedGroupSize.map({ $0 == g }) ?? true
        else {
            throw .badGroupSize(tensor: name, reason: "\(layout.dtype.rawValue) needs an even group size dividing the row")
        }
        let groups = layout.elementCount / g
        let blockBytes = type.blockBytes(g)
        guard let need = Checked.mul(groups, blockBytes), need == bytes.count else {
            throw .lengthMismatch(tensor: name, stored: bytes.count, expected: Checked.mul(groups, blockBytes) ?? Int.max)
        }
        guard groups > 0, let src = bytes.baseAddress, let dst = output.baseAddress else { return }
        let chunkGroups = max(1, chunkElements / g)
        let chunks = (groups + chunkGroups - 1) / chunkGroups
        let simd = kernels.simdFlag
        Parallel.run(chunks, threads: threads) { c, _ in
            let first = c * chunkGroups
            let n = min(chunkGroups, groups - first)
            type.dequantize(src + first * blockBytes, dst + first * g, n, g, simd)
        }
    }

    /// Decodes `n` blocks of `dtype` (group size `g`) from `src` to `n·g` floats at `dst`, on the calling thread, with
    /// no checks: for quantizers measuring the chunk they just wrote, whose sizes are proven by their plan. Everything
    /// else goes through `decode`.
    public static func decodeBlocks(_ dtype: DType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, blocks n: Int,
                                    groupSize g: Int, kernels: KernelPath = .best) {
        kernel(dtype)?.dequantize(src, dst, n, g, kernels.simdFlag)
    }

    /// The values as a new array of `layout.elementCount` floats.
    public static func floats(_ bytes: UnsafeRawBufferPointer, layout: TensorLayout, name: String = "tensor",
                              threads: Int = Parallel.cpuCount, kernels: KernelPath = .best) throws(IngotError) -> [Float] {
        var result = [Float](repeating: 0, count: layout.elementCount)
        try result.withUnsafeMutableBufferPointer { (out) throws(IngotError) in
            try decode(bytes, layout: layout, into: out, name: name, threads: threads, kernels: kernels)
        }
        return result
    }

    /// The values of a tensor buffer as an owned f32 buffer (exports of block types to formats without them).
    public static func floatBuffer(_ buffer: TensorBuffer, layout: TensorLayout, name: String = "tensor") throws(IngotError) -> TensorBuffer {
        guard let outBytes = Checked.mul(layout.elementCount, 4) else { throw .sizeOverflow(tensor: name) }
        let out = OwnedBytes(count: outBytes)
        let floats = UnsafeMutableBufferPointer<Float>(
            start: out.mutable.baseAddress?.assumingMemoryBound(to: Float.self), count: layout.elementCount)
        try buffer.withBytes { (raw) throws(IngotError) in try decode(raw, layout: layout, into: floats, name: name) }
        return TensorBuffer(out)
    }

    /// Lends a tensor's values as f32: an aligned little-endian f32 buffer as it is (no copy of a mapped tensor),
    /// anything else decoded first.
    public static func withFloats<R>(_ buffer: TensorBuffer, layout: TensorLayout, name: String = "tensor",
                                     _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        #if _endian(little)
            if layout.dtype == .f32, buffer.bytes.count == 4 * layout.elementCount,
                Int(bitPattern: buffer.bytes.baseAddress) % MemoryLayout<Float>.alignment == 0
            {
                return try buffer.withBytes { raw in try raw.withMemoryRebound(to: Float.self) { try body($0) } }
            }
        #endif
        let values = try buffer.withBytes { (raw) throws(IngotError) in try floats(raw, layout: layout, name: name) }
        return try values.withUnsafeBufferPointer { try body($0) }
    }
}
