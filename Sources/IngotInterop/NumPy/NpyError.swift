import IngotFormat

/// Everything that can be wrong with a `.npy` array, one case per rule of numpy's format (`numpy.lib.format`).
public enum NpyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data does not start with `\x93NUMPY`.
    case badMagic
    /// The file ends inside the fixed preamble (magic, version, header length).
    case truncatedPreamble(need: Int, have: Int)
    /// A format version other than 1.0, 2.0 and 3.0.
    case unsupportedVersion(major: Int, minor: Int)
    /// The header length exceeds `NpyArray.maxHeaderBytes`.
    case headerTooLarge(Int)
    /// The header runs past the end of the data.
    case headerBeyondFile(end: Int, fileSize: Int)
    /// The header is not a well-formed Python literal dict.
    case malformedHeader(String)
    /// One of `descr`, `fortran_order`, `shape` is missing.
    case missingKey(String)
    /// A key other than `descr`, `fortran_order`, `shape`.
    case unexpectedKey(String)
    /// A key holds the wrong kind of value.
    case badValue(key: String, expected: String)
    /// An object array: its data is a Python pickle, which is never read.
    case objectArray(descr: String)
    /// A dtype this reader does not handle (complex, unsigned wider than a byte, structured, datetime, …).
    case unsupportedDescr(String)
    /// A negative dimension or more dimensions than Ingot allows.
    case badShape(String)
    /// Element count × element size overflows.
    case sizeOverflow
    /// Fewer data bytes than the shape and dtype need.
    case truncatedData(expected: Int, actual: Int)
    /// More data bytes than the shape and dtype need.
    case trailingData(expected: Int, actual: Int)
    /// A byte-swapped or transposed copy of the array would not fit in memory (`MemoryBudget`).
    case wouldNotFit(MemoryBudget.Exceeded)

    public var description: String {
        switch self {
        case .badMagic: "not a .npy array (bad magic)"
        case let .truncatedPreamble(need, have): "truncated: the .npy preamble needs \(need) bytes, \(have) present"
        case let .unsupportedVersion(major, minor): "unsupported .npy version \(major).\(minor) (this reader reads 1.0, 2.0, 3.0)"
        case let .headerTooLarge(n): "header length \(n) exceeds the cap of \(NpyArray.maxHeaderBytes) bytes"
        case let .headerBeyondFile(end, size): "header ends at byte \(end) but the array has \(size) bytes"
        case let .malformedHeader(why): "malformed header: \(why)"
        case let .missingKey(k): "header lacks \(quoted(k))"
        case let .unexpectedKey(k): "header has an unexpected key \(quoted(k))"
        case let .badValue(k, e): "header \(quoted(k)) must be \(e)"
        case let .objectArray(d): "object array (descr \(quoted(d))): its data is a Python pickle and is refused"
        case let .unsupportedDescr(d): "unsupported dtype descr \(quoted(d))"
        case let .badShape(why): "bad shape: \(why)"
        case .sizeOverflow: "shape size overflows"
        case let .truncatedData(e, a): "truncated data: shape and dtype need \(e) bytes, \(a) present"
        case let .trailingData(e, a): "trailing data: shape and dtype need \(e) bytes, \(a) present"
        case let .wouldNotFit(e): e.description
        }
    }
}
