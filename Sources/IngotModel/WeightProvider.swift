
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

    /// Runs `body` with the whole tensor as f32. Providers override this to lend storage without a copy (an
    /// aligned f32 mapping) or to reuse one scratch buffer; the pointer is valid only during `body`, and the forward
    /// pass never nests these calls.
    func withMatrix<R>(_ name: String, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R
}

extension WeightProvider {
    public func withMatrix<R>(_ name: String, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        let m = try matrix(name)
        return try m.withUnsafeBufferPointer { try body($0) }
    }
}
