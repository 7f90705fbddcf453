import IngotFormat

/// A tensor as a strided view of its storage (`_rebuild_tensor_v2`'s offset, size and stride, in elements), checked
/// once against the storage's size so that every element index of the view is known to be inside it.
struct PyTorchView: Sendable, Equatable {
    let shape: [Int]
    /// Strides with those of size-0 and size-1 dimensions set to 0: they never move the index, and zeroing them
    /// keeps the copy loop's partial sums bounded by the checked extent whatever the file says.
    let strides: [Int]
    let offset: Int
    let elementSize: Int
    let elementCount: Int

    /// Checks the view against a storage of `storageElements` elements: offset, sizes and strides non-negative,
    /// and the largest index `offset + Σ (size_k − 1) · stride_k` (overflow-checked) inside the storage.
    init(tensor: String, shape: [Int], strides: [Int], offset: Int, elementSize: Int,
         storageElements: Int) throws(PyTorchError) {
        guard shape.count == strides.count else { throw .badView(tensor: tensor, reason: "rank of size and stride differ") }
        guard offset >= 0 else { throw .badView(tensor: tensor, reason: "negative storage offset \(offset)") }
        var count = 1
        for d in shape {
            guard d >= 0 else { throw .badView(tensor: tensor, reason: "negative size \(d)") }
            guard let c = Checked.mul(count, d) else { throw .badView(tensor: tensor, reason: "element count overflows") }
            count = c
        }
        for s in strides where s < 0 { throw .badView(tensor: tensor, reason: "negative stride \(s)") }
        self.shape = shape
        self.strides = zip(shape, strides).map { $0 <= 1 ? 0 : $1 }
        self.offset = offset
        self.elementSize = elementSize
        elementCount = count
        guard count > 0 else { return }  // an empty view reads nothing
        var last = offset
        for (d, s) in zip(shape, self.strides) {
            guard let step = Checked.mul(d - 1, s), let l = Checked.add(last, step) else {
                throw .badView(tensor: tensor, reason: "extent overflows")
            }
            last = l
        }
        guard last < storageElements else {
            throw .viewOutOfBounds(tensor: tensor, end: last &+ 1, storageElements: storageElements)
        }
    }

    /// True when the view's elements are the storage's, in C order, from `offset` on: it can be a slice.
    var isContiguous: Bool {
        var expected = 1
        for (d, s) in zip(shape, strides).reversed() where d > 1 {
            if s != expected { return false }
            expected &*= d
        }
        return true
    }

    /// Bytes of the contiguous run this view covers, when `isContiguous`.
    var byteRange: (start: Int, count: Int) { (offset &* elementSize, elementCount &* elementSize) }

    /// Gathers the view's elements in C order from `storage` into `out` (`elementCount · elementSize` bytes).
    /// Indices are in bounds by construction (`init`); `storage` must be the checked storage.
    func copy(from storage: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        guard elementCount > 0, let src = storage.baseAddress, let dst = out.baseAddress,
            out.count >= elementCount &* elementSize
        else { return }
        let e = elementSize
        guard let innerSize = shape.last, let innerStride = strides.last else {
            dst.copyMemory(from: src + offset &* e, byteCount: e)  // 0-d: one element
            return
        }
        let outer = shape.count - 1
        var index = [Int](repeating: 0, count: outer)
        var row = offset
        var o = 0
        while true {
            copyRow(src, dst + o, start: row, count: innerSize, stride: innerStride)
            o &+= innerSize &* e
            // Odometer over the outer dimensions, last fastest.
            var k = outer - 1
            while k >= 0 {
                index[k] += 1
                row &+= strides[k]
                if index[k] < shape[k] { break }
                row &-= strides[k] &* shape[k]
                index[k] = 0
                k -= 1
            }
            if k < 0 { return }
        }
    }

    private func copyRow(_ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, start: Int, count: Int, stride: Int) {
        let e = elementSize
        if stride == 1 || count == 1 {
            dst.copyMemory(from: src + start &* e, byteCount: count &* e)
            return
        }
        func gather<T>(_: T.Type) {
            for i in 0..<count {
                let v = src.loadUnaligned(fromByteOffset: (start &+ i &* stride) &* e, as: T.self)
                dst.storeBytes(of: v, toByteOffset: i &* e, as: T.self)
            }
        }
        switch e {
        case 1: gather(UInt8.self)
        case 2: gather(UInt16.self)
        case 4: gather(UInt32.self)
        case 8: gather(UInt64.self)
        default:
            for i in 0..<count { (dst + i &* e).copyMemory(from: src + (start &+ i &* stride) &* e, byteCount: e) }
        }
    }
}
