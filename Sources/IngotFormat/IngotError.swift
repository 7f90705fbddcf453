/// Everything that can be wrong with an Ingot container, one case per rule of `specs/format.md`.
///
/// Readers treat file bytes as hostile: each violated rule maps to exactly one case, so tests and scripts can tell
/// *which* rule a file broke. `description` is the one line the CLI prints after the file name.
public enum IngotError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file ends before a structure it must contain (`what`), which needs `need` bytes at that point.
    case truncated(what: String, need: Int, have: Int)
    /// The first 8 bytes are not the Ingot magic.
    case badMagic
    /// The major version is not one this reader understands.
    case unsupportedVersion(major: Int, minor: Int)
    /// Reserved preamble flags are set.
    case reservedFlags(UInt32)
    /// The header length exceeds the cap (`Limits.maxHeaderBytes`).
    case headerTooLarge(Int)
    /// The header (or the data section start) lies beyond the end of the file.
    case headerBeyondFile(end: Int, fileSize: Int)
    /// XXH3-64 of the header bytes differs from the preamble.
    case headerChecksumMismatch(expected: UInt64, actual: UInt64)
    /// The header is not valid UTF-8 JSON.
    case invalidJSON(String)
    /// The header JSON is valid but does not follow the schema (a missing, mistyped or unknown field).
    case invalidHeader(String)
    /// The data section offset is not page aligned or starts inside the header.
    case badDataOffset(Int)
    /// Bytes that must be zero (header padding or tensor padding) are not.
    case nonzeroPadding(offset: Int)
    /// The tensor alignment is not a power of two within [8, 4096].
    case badAlignment(Int)
    /// There are more tensors than `Limits.maxTensors`.
    case tooManyTensors(Int)
    /// A tensor name is empty, too long, or contains a control character.
    case badName(String)
    /// Two tensors have the same name.
    case duplicateName(String)
    /// A dtype string this reader does not know.
    case unknownDType(tensor: String, dtype: String)
    /// A shape with a negative dimension or a rank beyond `Limits.maxRank`.
    case badShape(tensor: String, reason: String)
    /// The group size of a block-quantized tensor is missing, misplaced, odd or does not divide the last dimension.
    case badGroupSize(tensor: String, reason: String)
    /// The element count or byte size does not fit in 63 bits.
    case sizeOverflow(tensor: String)
    /// A tensor's offset is not a multiple of the file's alignment.
    case misaligned(tensor: String, offset: Int, alignment: Int)
    /// A tensor starts before the end of the previous one.
    case overlap(tensor: String, offset: Int, previousEnd: Int)
    /// A tensor does not start at the first aligned offset after the previous one: bytes are unaccounted for.
    case hole(tensor: String, offset: Int, expected: Int)
    /// A tensor's stored bytes run past the end of the file.
    case tensorBeyondFile(tensor: String, end: Int, fileSize: Int)
    /// The file continues after the last tensor.
    case trailingBytes(expectedSize: Int, fileSize: Int)
    /// A raw tensor's stored length differs from the size its dtype and shape imply.
    case lengthMismatch(tensor: String, stored: Int, expected: Int)
    /// An encoding this reader does not know.
    case unknownEncoding(tensor: String, encoding: String)
    /// A chunk size outside the allowed range or not a multiple of the dtype's unit.
    case badChunkSize(tensor: String, chunkSize: Int)
    /// The chunk table does not describe the stored bytes exactly.
    case badChunkTable(tensor: String, reason: String)
    /// A chunk (or one of its planes) claims more bytes than the cap allows.
    case chunkTooLarge(tensor: String, chunk: Int, claimed: Int, cap: Int)
    /// A chunk's compressed data cannot be decoded.
    case corruptChunk(tensor: String, chunk: Int, reason: String)
    /// A chunk decodes to a different number of bytes than it must.
    case chunkSizeMismatch(tensor: String, chunk: Int, decoded: Int, expected: Int)
    /// XXH3-64 of a tensor's decoded bytes differs from the header.
    case tensorChecksumMismatch(tensor: String, expected: UInt64, actual: UInt64)
    /// A tensor of that name is not in the file.
    case noSuchTensor(String)
    /// A request the library cannot honour (bad argument, unsupported conversion).
    case unsupported(String)
    /// An operating-system call failed.
    case io(String)

    public var description: String {
        switch self {
        case let .truncated(what, need, have): "truncated: \(what) needs \(need) bytes, \(have) remain"
        case .badMagic: "not an Ingot file (bad magic)"
        case let .unsupportedVersion(major, minor): "unsupported format version \(major).\(minor) (this reader reads 1.x)"
        case let .reservedFlags(f): "reserved preamble flags set (0x\(String(f, radix: 16)))"
        case let .headerTooLarge(n): "header length \(n) exceeds the cap of \(Limits.maxHeaderBytes) bytes"
        case let .headerBeyondFile(end, size): "header ends at byte \(end) but the file has \(size) bytes"
        case let .headerChecksumMismatch(e, a): "header checksum mismatch (expected \(hex(e)), got \(hex(a)))"
        case let .invalidJSON(why): "header is not valid JSON: \(why)"
        case let .invalidHeader(why): "invalid header: \(why)"
        case let .badDataOffset(o): "data offset \(o) is not page aligned or overlaps the header"
        case let .nonzeroPadding(o): "nonzero padding byte at file offset \(o)"
        case let .badAlignment(a): "alignment \(a) is not a power of two in [\(Limits.minAlignment), \(Limits.maxAlignment)]"
        case let .tooManyTensors(n): "\(n) tensors exceed the cap of \(Limits.maxTensors)"
        case let .badName(n): "bad tensor name \(quoted(n))"
        case let .duplicateName(n): "duplicate tensor name \(quoted(n))"
        case let .unknownDType(t, d): "tensor \(quoted(t)): unknown dtype \(quoted(d))"
        case let .badShape(t, r): "tensor \(quoted(t)): bad shape: \(r)"
        case let .badGroupSize(t, r): "tensor \(quoted(t)): bad group size: \(r)"
        case let .sizeOverflow(t): "tensor \(quoted(t)): size overflows"
        case let .misaligned(t, o, a): "tensor \(quoted(t)): offset \(o) is not a multiple of the alignment \(a)"
        case let .overlap(t, o, p): "tensor \(quoted(t)): offset \(o) overlaps the previous tensor (ends at \(p))"
        case let .hole(t, o, e): "tensor \(quoted(t)): offset \(o) leaves a hole (expected \(e))"
        case let .tensorBeyondFile(t, e, s): "tensor \(quoted(t)): data ends at byte \(e) but the file has \(s) bytes"
        case let .trailingBytes(e, s): "file has \(s) bytes but its layout accounts for \(e)"
        case let .lengthMismatch(t, s, e): "tensor \(quoted(t)): stored length \(s), dtype and shape need \(e)"
        case let .unknownEncoding(t, e): "tensor \(quoted(t)): unknown encoding \(quoted(e))"
        case let .badChunkSize(t, c): "tensor \(quoted(t)): bad chunk size \(c)"
        case let .badChunkTable(t, r): "tensor \(quoted(t)): bad chunk table: \(r)"
        case let .chunkTooLarge(t, c, n, cap): "tensor \(quoted(t)): chunk \(c) claims \(n) bytes, over the cap of \(cap)"
        case let .corruptChunk(t, c, r): "tensor \(quoted(t)): chunk \(c) is corrupt: \(r)"
        case let .chunkSizeMismatch(t, c, d, e): "tensor \(quoted(t)): chunk \(c) decodes to \(d) bytes, expected \(e)"
        case let .tensorChecksumMismatch(t, e, a):
            "tensor \(quoted(t)): checksum mismatch (expected \(hex(e)), got \(hex(a)))"
        case let .noSuchTensor(n): "no tensor named \(quoted(n))"
        case let .unsupported(why): why
        case let .io(why): why
        }
    }
}

/// An error tied to the file it came from, printed as `path: problem` — the one line users see.
public struct FileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let underlying: any Error & Sendable

    public init(path: String, _ underlying: any Error & Sendable) {
        self.path = path
        self.underlying = underlying
    }

    /// One line: the path (control characters escaped, so a newline in a file name cannot split the message), then
    /// the problem. An error already tagged with the same path is not tagged twice.
    public var description: String {
        if let inner = underlying as? FileError, inner.path == path { return inner.description }
        return "\(displayPath(path)): \(underlying)"
    }
}

/// A path as error messages show it: whole, with C0/DEL/C1 control characters escaped as `quoted` does.
public func displayPath(_ path: String) -> String {
    var out = ""
    for scalar in path.unicodeScalars {
        if scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) {
            out += "\\u{\(String(scalar.value, radix: 16))}"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// Runs `body`, tagging any error with `path` (unless it is already tagged).
@inlinable
public func withPath<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as FileError { throw e } catch { throw FileError(path: path, error) }
}

func hex(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}

/// Names come from hostile files: quote them and escape control characters so one error stays one line.
public func quoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars.prefix(200) {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        // C0, DEL and C1 controls (U+009B is a terminal escape introducer): never reach a terminal raw.
        case _ where scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value):
            out += "\\u{\(String(scalar.value, radix: 16))}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    if s.unicodeScalars.count > 200 { out += "…" }
    return out + "\""
}
