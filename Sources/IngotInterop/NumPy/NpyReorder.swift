/// Rewrites `.npy` element data as little-endian C order: byte-swaps big-endian elements and transposes Fortran
/// order. Sizes were validated by `NpyArray` (the buffers hold exactly the shape's elements).
enum NpyReorder {
    static func run<T: FixedWidthInteger>(_: T.Type, _ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableRawBufferPointer,
                                          shape: [Int], transpose: Bool, swap: Bool) {
        let size = MemoryLayout<T>.size
        let n = min(src.count, dst.count) / size
        guard n > 0 else { return }
        @inline(__always) func copy(_ from: Int, _ to: Int) {
            let v = src.loadUnaligned(fromByteOffset: from * size, as: T.self)
            dst.storeBytes(of: swap ? v.byteSwapped : v, toByteOffset: to * size, as: T.self)
        }
        guard transpose, let first = shape.first, first > 0 else {
            for i in 0..<n { copy(i, i) }
            return
        }
        // Fortran order stores the first index fastest. Walk the source sequentially and track the destination
        // (C order: last index fastest) with an odometer over dimensions 1..<rank.
        var cStride = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { cStride[d] = cStride[d + 1] * shape[d + 1] }
        var index = [Int](repeating: 0, count: shape.count)
        var dest = 0
        var k = 0
        while k < n {
            // One Fortran column: consecutive source elements, destination stride cStride[0].
            for j in 0..<first { copy(k + j, dest + j * cStride[0]) }
            k += first
            var d = 1
            while d < shape.count {
                index[d] += 1
                dest += cStride[d]
                if index[d] < shape[d] { break }
                dest -= cStride[d] * shape[d]
                index[d] = 0
                d += 1
            }
        }
    }
}
