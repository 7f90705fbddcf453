import IngotFormat

/// Everything that can be wrong with a zip archive (as numpy's `.npz` uses it), one case per rule.
/// The central directory is trusted for sizes; local headers are checked against it.
public enum ZipError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No end-of-central-directory record: not a zip file.
    case noEndRecord
    /// The file ends inside the end-of-central-directory record or its comment.
    case truncatedEndRecord
    /// A split (multi-disk) archive.
    case multiDisk
    /// The ZIP64 end-of-central-directory locator or record is missing, truncated or inconsistent.
    case badZip64EndRecord(String)
    /// The central directory runs past the end of the file (or past the record that points to it).
    case centralDirectoryBeyondFile(end: Int, limit: Int)
    /// More entries than the cap.
    case tooManyEntries(count: Int, cap: Int)
    /// A central directory record is malformed (bad signature, runs past the directory, bad extra field).
    case badCentralDirectory(String)
    /// An entry name longer than the cap.
    case nameTooLong(length: Int, cap: Int)
    /// An entry name that is empty or not valid UTF-8.
    case badName(String)
    /// Two entries with the same name.
    case duplicateEntry(String)
    /// An encrypted entry.
    case encrypted(entry: String)
    /// A compression method other than stored (0) and deflate (8).
    case unsupportedMethod(entry: String, method: Int)
    /// An entry declares more uncompressed bytes than the cap.
    case entryTooLarge(entry: String, size: UInt64, cap: Int)
    /// A stored entry whose compressed and uncompressed sizes differ.
    case storedSizeMismatch(entry: String, compressed: Int, uncompressed: Int)
    /// An entry's local header is missing, truncated, or disagrees with the central directory.
    case badLocalHeader(entry: String, reason: String)
    /// An entry's data runs past the start of the central directory.
    case entryBeyondDirectory(entry: String, end: Int, directoryStart: Int)
    /// Two entries' bytes overlap (a trick of some zip bombs).
    case overlappingEntries(String, String)
    /// A deflated entry would inflate to more bytes than the machine can hold (`ZipLimits.maxInflatedBytes`).
    case wouldNotFit(entry: String, size: Int, cap: Int)
    /// The deflate stream is invalid or truncated.
    case corruptDeflate(entry: String, reason: String)
    /// The deflate stream produces more bytes than the entry declares (a zip bomb, or a corrupt size).
    case inflatesPastDeclaredSize(entry: String, declared: Int)
    /// The deflate stream ends before producing the declared number of bytes.
    case inflatesShort(entry: String, declared: Int, actual: Int)
    /// The entry's CRC-32 differs from the central directory.
    case crcMismatch(entry: String, expected: UInt32, actual: UInt32)

    public var description: String {
        switch self {
        case .noEndRecord: "not a zip archive (no end of central directory record)"
        case .truncatedEndRecord: "truncated: the file ends inside the end of central directory record"
        case .multiDisk: "split (multi-disk) zip archives are not supported"
        case let .badZip64EndRecord(why): "bad ZIP64 end of central directory: \(why)"
        case let .centralDirectoryBeyondFile(end, limit): "central directory ends at byte \(end), past \(limit)"
        case let .tooManyEntries(n, cap): "\(n) entries exceed the cap of \(cap)"
        case let .badCentralDirectory(why): "bad central directory: \(why)"
        case let .nameTooLong(n, cap): "an entry name of \(n) bytes exceeds the cap of \(cap)"
        case let .badName(n): "bad entry name \(quoted(n))"
        case let .duplicateEntry(n): "duplicate entry \(quoted(n))"
        case let .encrypted(e): "entry \(quoted(e)) is encrypted"
        case let .unsupportedMethod(e, m): "entry \(quoted(e)): unsupported compression method \(m) (stored and deflate only)"
        case let .entryTooLarge(e, s, cap): "entry \(quoted(e)) declares \(s) bytes, over the cap of \(cap)"
        case let .storedSizeMismatch(e, c, u): "stored entry \(quoted(e)) has \(c) compressed but \(u) uncompressed bytes"
        case let .badLocalHeader(e, r): "entry \(quoted(e)): bad local header: \(r)"
        case let .entryBeyondDirectory(e, end, d): "entry \(quoted(e)) ends at byte \(end), past the central directory at \(d)"
        case let .overlappingEntries(a, b): "entries \(quoted(a)) and \(quoted(b)) overlap"
        case let .wouldNotFit(e, s, cap):
            "entry \(quoted(e)) would inflate to \(s) bytes, more than this machine can hold (the cap is \(cap) bytes, half its memory)"
        case let .corruptDeflate(e, r): "entry \(quoted(e)): corrupt deflate data: \(r)"
        case let .inflatesPastDeclaredSize(e, d): "entry \(quoted(e)) inflates past its declared \(d) bytes"
        case let .inflatesShort(e, d, a): "entry \(quoted(e)) inflates to \(a) bytes, \(d) declared"
        case let .crcMismatch(e, x, a): "entry \(quoted(e)): CRC-32 mismatch (expected \(hex8(x)), got \(hex8(a)))"
        }
    }
}

func hex8(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 8 - s.count) + s
}
