
/// Where the forward pass gets its weights: one tensor at a time, as f32, by canonical name (specs/canonical.md §3).
///
/// The forward pass asks for each matrix when it needs it and drops it after the product, so at most one weight
/// matrix exists in f32 at a time (plus whatever the provider keeps); a quantized model is never expanded whole.
public protocol WeightProvider: AnyObject {
    /// The canonical shape, or nil when there is no such tensor.
    func shape(_ name: String) -> [Int]?

    /// The whole tensor as f32, row-major, in its canonical shape.
    func matrix(_ name: String) throws -> [Float]

    /// Rows of a tensor's first axis, concatenated in the order given (embedding lookups: only the rows a prompt
    /// uses are decoded).
    func rows(_ name: String, _ rows: [Int]) throws -> [Float]

    /// Rows `range` of a tensor's first axis as f32, one contiguous block (a large product decoded in pieces).
    func rowRange(_ name: String, _ range: Range<Int>) throws -> [Float]

    /// Runs `body` with rows `range` as f32; providers lend reused storage (the pointer is valid only during `body`).
    func withRowRange<R>(_ name: String, _ range: Range<Int>, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R

    /// Runs `body` with the whole tensor as f32. Providers override this to lend storage without a copy (an
    /// aligned f32 mapping) or to reuse one scratch buffer; the pointer is valid only during `body`, and the forward
    /// pass never nests these calls.
    func withMatrix<R>(_ name: String, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R

    /// Runs `body` with a 2-D tensor as stored (its dtype, blocks and bytes), or returns nil when the provider cannot
    /// lend stored bytes (the forward pass then uses `withMatrix`). Decoding steps use this so a quantized matrix is
    /// multiplied block by block instead of being dequantized every token. The bytes are valid only during `body`.
    func withStoredMatrix<R>(_ name: String, _ body: (StoredMatrix) throws -> R) throws -> R?
}

extension WeightProvider {
    public func withMatrix<R>(_ name: String, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        let m = try matrix(name)
        return try m.withUnsafeBufferPointer { try body($0) }
    }

    public func withStoredMatrix<R>(_ name: String, _ body: (StoredMatrix) throws -> R) throws -> R? { nil }

    public func rowRange(_ name: String, _ range: Range<Int>) throws -> [Float] { try rows(name, Array(range)) }

    public func withRowRange<R>(_ name: String, _ range: Range<Int>, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        let m = try rowRange(name, range)
        return try m.withUnsafeBufferPointer { try body($0) }
    }
}
