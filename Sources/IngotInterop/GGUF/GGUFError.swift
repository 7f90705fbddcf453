import IngotFormat

/// Everything that can be wrong with a GGUF file, one case per rule (specs/gguf-mapping.md). The reading rules are
/// ggml's (`gguf.cpp`) — including the checks added for CVE-2024-21802/21825/21836/23496/23605, CVE-2025-53630 and
/// CVE-2026-27940 — plus Ingot's caps (`GGUFLimits`); the last cases are the writer's and the metadata
/// converter's refusals. Readers wrap these in `FileError(path:, …)`.
public enum GGUFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file ends inside a structure (`what`) that needs `need` bytes at file offset `offset`; `have` remain.
    case truncated(what: String, offset: Int, need: UInt64, have: Int)
    /// The first 4 bytes are not "GGUF".
    case badMagic
    /// The version reads as a huge number whose low 16 bits are zero: a big-endian file, which Ingot does not read.
    case bigEndian(version: UInt32)
    /// A version other than 2 or 3 (1 is the obsolete GGUFv1 with 32-bit counts).
    case unsupportedVersion(UInt32)
    /// The header (everything before the data section) is longer than `GGUFLimits.maxHeaderBytes`.
    case headerTooLarge
    /// The tensor count exceeds `GGUFLimits.maxTensors`.
    case tooManyTensors(UInt64)
    /// The key-value count exceeds `GGUFLimits.maxKeyValues`.
    case tooManyKeyValues(UInt64)
    /// A string's length exceeds `GGUFLimits.maxStringBytes` (a length near 2^64 once wrapped an allocation).
    case stringTooLong(what: String, length: UInt64)
    /// A string is not valid UTF-8.
    case invalidUTF8(what: String)
    /// An array's element count exceeds `GGUFLimits.maxArrayCount`.
    case arrayTooLong(key: String, count: UInt64)
    /// Arrays nest deeper than `GGUFLimits.maxArrayDepth`.
    case arrayTooDeep(key: String)
    /// A key-value type id outside 0…12 (for an array element type too).
    case unknownValueType(key: String, type: UInt32)
    /// Key-value pair `index` has an empty key (ggml rejects these).
    case emptyKey(index: Int)
    /// Two key-value pairs have the same key (compared by exact code points).
    case duplicateKey(String)
    /// The file holds a key Ingot reserves for the value types of its metadata (`GGUFMetadata.typesKey`).
    case reservedKey(String)
    /// `general.alignment` is not a u32 (its type is named).
    case alignmentNotU32(type: String)
    /// `general.alignment` (or a writer alignment) is not a nonzero power of two.
    case badAlignment(UInt64)
    /// Two tensors have the same name (compared by exact code points).
    case duplicateTensorName(String)
    /// A tensor has more than 4 dimensions.
    case tooManyDimensions(tensor: String, count: UInt32)
    /// A dimension does not fit in a signed 64-bit integer (ggml reads dims as int64 and rejects negatives).
    case dimensionTooLarge(tensor: String, index: Int, value: UInt64)
    /// The element count or byte size of a tensor overflows.
    case sizeOverflow(tensor: String)
    /// A split GGUF opened at another file than its first.
    case splitNotFirst(number: Int, count: Int)
    /// A split's `split.*` pairs do not fit the model (wrong number or count, missing tensors).
    case splitMismatch(expected: String)
    /// `split.*` pairs of the wrong type or out of range.
    case badSplitKey(String)
    /// A GGML type id no GGML version defines.
    case unknownTensorType(tensor: String, type: UInt32)
    /// A GGML type Ingot does not read (named, e.g. "IQ2_XXS").
    case unsupportedTensorType(tensor: String, type: String, id: UInt32)
    /// The innermost dimension is not a multiple of the type's block size.
    case rowNotBlockMultiple(tensor: String, type: String, elements: Int, blockSize: Int)
    /// A tensor offset (relative to the data section) is not a multiple of the alignment.
    case misalignedOffset(tensor: String, offset: UInt64, alignment: Int)
    /// A tensor's data runs past the end of the file (`end` is an absolute offset, nil when it overflows).
    case tensorBeyondFile(tensor: String, end: UInt64?, fileSize: Int)
    /// A tensor's bytes overlap the previous tensor's (in offset order).
    case overlap(tensor: String, offset: Int, previous: String, previousEnd: Int)

    // Writer and metadata-converter refusals.
    /// GGUF has no type for this Ingot dtype (u8, bool).
    case cannotExport(tensor: String, dtype: DType)
    /// GGUF's Q8_0/Q4_0/Q4_1 blocks hold 32 elements; Ingot's q-types with another group size cannot be copied.
    case groupSizeNot32(tensor: String, dtype: DType, groupSize: Int)
    /// A metadata value that no GGUF type can hold, or that contradicts its recorded type.
    case unrepresentableMetadata(key: String, reason: String)

    public var description: String {
        switch self {
        case let .truncated(what, offset, need, have):
            "truncated: \(what) at byte \(offset) needs \(need) bytes, \(have) remain"
        case .badMagic: "not a GGUF file (bad magic)"
        case let .splitNotFirst(n, c): "is split \(n) of \(c): open the first split (…-00001-of-\(ShardPlan.fiveDigits(c)).gguf)"
        case let .splitMismatch(e): "split GGUF does not match its first file: expected \(e)"
        case let .badSplitKey(why): "bad split key: \(why)"
        case let .bigEndian(v):
            "version field reads 0x\(String(v, radix: 16)): a big-endian GGUF file, which Ingot does not read"
        case let .unsupportedVersion(v):
            v == 1 ? "GGUF version 1 is obsolete and not supported (versions 2 and 3 are)"
                : "unsupported GGUF version \(v) (versions 2 and 3 are supported)"
        case .headerTooLarge: "header exceeds the cap of \(GGUFLimits.maxHeaderBytes) bytes"
        case let .tooManyTensors(n): "\(n) tensors exceed the cap of \(GGUFLimits.maxTensors)"
        case let .tooManyKeyValues(n): "\(n) key-value pairs exceed the cap of \(GGUFLimits.maxKeyValues)"
        case let .stringTooLong(what, n): "\(what): string length \(n) exceeds the cap of \(GGUFLimits.maxStringBytes)"
        case let .invalidUTF8(what): "\(what) is not valid UTF-8"
        case let .arrayTooLong(k, n): "key \(quoted(k)): array of \(n) elements exceeds the cap of \(GGUFLimits.maxArrayCount)"
        case let .arrayTooDeep(k): "key \(quoted(k)): arrays nest deeper than \(GGUFLimits.maxArrayDepth)"
        case let .unknownValueType(k, t): "key \(quoted(k)): unknown value type \(t)"
        case let .emptyKey(i): "key-value pair \(i) has an empty key"
        case let .duplicateKey(k): "duplicate key \(quoted(k))"
        case let .reservedKey(k): "key \(quoted(k)) is reserved by Ingot for metadata value types"
        case let .alignmentNotU32(t): "general.alignment must be a u32 but is a \(t)"
        case let .badAlignment(a): "alignment \(a) is not a nonzero power of two"
        case let .duplicateTensorName(n): "duplicate tensor name \(quoted(n))"
        case let .tooManyDimensions(t, n): "tensor \(quoted(t)): \(Limits.rankExceeded(Int(n), maximum: GGUFLimits.maxDimensions))"
        case let .dimensionTooLarge(t, i, v): "tensor \(quoted(t)): dimension \(i) is \(v), beyond 2^63 - 1"
        case let .sizeOverflow(t): "tensor \(quoted(t)): size overflows"
        case let .unknownTensorType(t, id): "tensor \(quoted(t)): unknown GGML type id \(id)"
        case let .unsupportedTensorType(t, name, id): "tensor \(quoted(t)): GGML type \(name) (\(id)) is not supported"
        case let .rowNotBlockMultiple(t, type, n, b):
            "tensor \(quoted(t)): \(n) elements per row is not a multiple of the \(type) block size \(b)"
        case let .misalignedOffset(t, o, a): "tensor \(quoted(t)): offset \(o) is not a multiple of the alignment \(a)"
        case let .tensorBeyondFile(t, end, size):
            "tensor \(quoted(t)): data ends at byte \(end.map(String.init) ?? "≥ 2^64") but the file has \(size) bytes"
        case let .overlap(t, o, p, e):
            "tensor \(quoted(t)): data at \(o) overlaps tensor \(quoted(p)) (which ends at \(e))"
        case let .cannotExport(t, d): "tensor \(quoted(t)): GGUF has no type for \(d)"
        case let .groupSizeNot32(t, d, g):
            "tensor \(quoted(t)): \(d) with group size \(g) cannot be written to GGUF (its blocks hold 32 elements)"
        case let .unrepresentableMetadata(k, r): "metadata \(quoted(k)): \(r)"
        }
    }
}
