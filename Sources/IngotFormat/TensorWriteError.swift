/// A writer used against its own contract: these are caller bugs (a conversion that computed one size and produced
/// another), never bad input files, so they get their own type rather than a case of a format's error enum.
public enum TensorWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes given for a tensor are not the size its layout needs.
    case sizeMismatch(tensor: String, count: Int, expected: Int)
    /// A header-first writer was given a tensor that is not the next one its header lists (nil: it lists no more).
    case notPlanned(tensor: String, layout: TensorLayout, planned: TensorDescriptor?)
    /// `finish` before every tensor the header lists was written.
    case incomplete(missing: Int, next: String)
    /// A call after `finish` (committed) or `abort` (including an abort caused by an earlier error).
    case closed(committed: Bool)

    public var description: String {
        switch self {
        case let .sizeMismatch(t, c, e): "tensor \(quoted(t)): got \(c) bytes, its layout needs \(e)"
        case let .notPlanned(t, l, p):
            "tensor \(quoted(t)) (\(Self.show(l))) is not "
                + (p.map { "the next one the header lists (\(quoted($0.name)), \(Self.show($0.layout)))" } ?? "in the header")
        case let .incomplete(n, next): "\(n) tensors the header lists were not written (next: \(quoted(next)))"
        case let .closed(committed): committed ? "the file is already finished" : "the write was abandoned"
        }
    }

    static func show(_ l: TensorLayout) -> String {
        "\(l.dtype.rawValue)\(l.groupSize.map { "/g\($0)" } ?? "") \(l.shape)"
    }
}
