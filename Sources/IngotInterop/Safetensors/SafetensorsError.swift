import IngotFormat

/// Everything that can be wrong with a safetensors file, one case per rule. The reading rules are those of the
/// safetensors Rust crate (`tensor.rs`), plus two it does not enforce: unknown keys in a tensor entry and
/// duplicate JSON keys are errors here. The last cases are the writer's refusals.
public enum SafetensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file is shorter than the 8-byte header length.
    case fileTooSmall(size: Int)
    /// The header length exceeds the crate's cap of 100,000,000 bytes.
    case headerTooLarge(UInt64)
    /// 8 + header length runs past the end of the file.
    case headerBeyondFile(end: Int, fileSize: Int)
    /// The header is not valid UTF-8 (offset within the header).
    case invalidUTF8(offset: Int)
    /// The header is not valid JSON (including duplicate keys).
    case invalidJSON(String)
    /// The header is JSON but not an object.
    case headerNotObject(type: String)
    /// `__metadata__` is neither an object nor null.
    case metadataNotObject(type: String)
    /// A `__metadata__` value is not a string.
    case nonStringMetadata(key: String, type: String)
    /// More tensors than `Limits.maxTensors`.
    case tooManyTensors(Int)
    /// A tensor's entry is not an object.
    case tensorNotObject(tensor: String, type: String)
    /// A tensor's entry lacks `dtype`, `shape` or `data_offsets`.
    case missingField(tensor: String, field: String)
    /// A tensor's entry has a key other than `dtype`, `shape` and `data_offsets`.
    case unknownField(tensor: String, field: String)
    /// `dtype` is not a string, or `data_offsets` is not two non-negative integers.
    case badField(tensor: String, field: String, expected: String)
    /// A dtype code safetensors does not define.
    case unknownDType(tensor: String, dtype: String)
    /// A dtype safetensors defines but Ingot cannot represent (U16, U32, U64, F8_*, …).
    case unsupportedDType(tensor: String, dtype: String)
    /// A shape that is not a list of non-negative integers, or has more dimensions than Ingot allows.
    case badShape(tensor: String, reason: String)
    /// Element count × dtype size overflows.
    case sizeOverflow(tensor: String)
    /// `data_offsets` ends before it begins.
    case reversedOffsets(tensor: String, begin: Int, end: Int)
    /// Sorted by offset, a tensor starts after the previous one ends: bytes are unaccounted for.
    case hole(tensor: String, begin: Int, expected: Int)
    /// Sorted by offset, a tensor starts before the previous one ends.
    case overlap(tensor: String, begin: Int, previousEnd: Int)
    /// The byte span of `data_offsets` differs from elements × dtype size.
    case spanMismatch(tensor: String, span: Int, expected: Int)
    /// The tensors need more bytes than the file has (8 + header + end of last tensor > file length).
    case dataBeyondFile(expectedSize: Int, fileSize: Int)
    /// The file continues after the last tensor (8 + header + end of last tensor < file length).
    case trailingBytes(expectedSize: Int, fileSize: Int)

    // Writer refusals.
    /// safetensors has no block-quantized dtypes: the tensor must be dequantized first.
    case cannotExport(tensor: String, dtype: DType)
    /// `__metadata__` cannot name a tensor: that key holds the metadata.
    case reservedTensorName
    /// Two tensors with one name cannot both be keys of the header.
    case duplicateTensorName(String)
    /// A metadata value could not be encoded (a NaN or infinity).
    case unencodableMetadata(key: String)

    public var description: String {
        switch self {
        case let .fileTooSmall(size): "file has \(size) bytes, too few for the 8-byte header length"
        case let .headerTooLarge(n): "header length \(n) exceeds the cap of 100000000 bytes"
        case let .headerBeyondFile(end, size): "header ends at byte \(end) but the file has \(size) bytes"
        case let .invalidUTF8(offset): "header is not valid UTF-8 (at header byte \(offset))"
        case let .invalidJSON(why): "header is not valid JSON: \(why)"
        case let .headerNotObject(type): "header is a JSON \(type), not an object"
        case let .metadataNotObject(type): "__metadata__ is a JSON \(type), not an object of strings"
        case let .nonStringMetadata(key, type): "__metadata__ value \(quoted(key)) is a JSON \(type), not a string"
        case let .tooManyTensors(n): "\(n) tensors exceed the cap of \(Limits.maxTensors)"
        case let .tensorNotObject(t, type): "tensor \(quoted(t)): entry is a JSON \(type), not an object"
        case let .missingField(t, f): "tensor \(quoted(t)): missing \(quoted(f))"
        case let .unknownField(t, f): "tensor \(quoted(t)): unknown key \(quoted(f))"
        case let .badField(t, f, e): "tensor \(quoted(t)): \(quoted(f)) must be \(e)"
        case let .unknownDType(t, d): "tensor \(quoted(t)): unknown dtype \(quoted(d))"
        case let .unsupportedDType(t, d): "tensor \(quoted(t)): dtype \(d) is not supported by Ingot"
        case let .badShape(t, r): "tensor \(quoted(t)): bad shape: \(r)"
        case let .sizeOverflow(t): "tensor \(quoted(t)): size overflows"
        case let .reversedOffsets(t, b, e): "tensor \(quoted(t)): data_offsets [\(b), \(e)] end before they begin"
        case let .hole(t, b, e): "tensor \(quoted(t)): data starts at \(b), leaving a hole (expected \(e))"
        case let .overlap(t, b, p): "tensor \(quoted(t)): data starts at \(b), overlapping the previous tensor (ends at \(p))"
        case let .spanMismatch(t, s, e): "tensor \(quoted(t)): data_offsets span \(s) bytes, dtype and shape need \(e)"
        case let .dataBeyondFile(e, s): "tensor data needs a \(e)-byte file but the file has \(s) bytes (truncated)"
        case let .trailingBytes(e, s): "file has \(s) bytes but its header accounts for \(e)"
        case let .cannotExport(t, d): "tensor \(quoted(t)): safetensors cannot hold \(d) (dequantize it first)"
        case .reservedTensorName: "a tensor cannot be named \"__metadata__\" in safetensors"
        case let .duplicateTensorName(n): "duplicate tensor name \(quoted(n))"
        case let .unencodableMetadata(k): "metadata \(quoted(k)) holds a NaN or infinity, which JSON cannot encode"
        }
    }
}
