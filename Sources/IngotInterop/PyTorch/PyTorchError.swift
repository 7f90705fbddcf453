import IngotFormat

/// What can be wrong with a `torch.save` checkpoint beyond its zip container (`ZipError`) and its pickle
/// (`PickleError`), one case per rule.
public enum PyTorchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The legacy (pre-1.6, `_use_new_zipfile_serialization=False`) format: a pickle stream, not a zip.
    case legacyFormat
    /// The zip has no `<folder>/data.pkl`: not a torch.save checkpoint.
    case noDataPickle
    /// More than one top folder holds a `data.pkl`.
    case ambiguousArchive(String, String)
    /// An entry outside the archive's one top folder.
    case entryOutsideArchive(entry: String, folder: String)
    /// `byteorder` says "big": storages would need swapping, which this reader does not do.
    case bigEndian
    /// `byteorder` holds something other than "little" or "big".
    case badByteOrder(String)
    /// The pickle's root is not a dict (a bare tensor, a list, a model object).
    case notAStateDict(found: String)
    /// A dict key on the path to a tensor is neither a str nor an int.
    case badKey(path: String, type: String)
    /// An int key at the top level of the state dict (`path` empty) or holding a tensor: a tensor is named by str
    /// keys (see `PyTorchStateDict`).
    case intKey(path: String, key: Int)
    /// A flattened tensor name is empty, too long or holds a control character.
    case badName(String)
    /// Two tensors flatten to the same name.
    case duplicateName(String)
    /// Containers nest deeper than the cap (or form a cycle).
    case nestingTooDeep(cap: Int)
    /// Walking the state dict visits more entries than the cap (containers shared many times over).
    case tooManyEntries(cap: Int)
    /// A tensor's dtype (or its storage's) is one Ingot has no type for.
    case unsupportedDType(tensor: String, dtype: String)
    /// A persistent id names `data/<key>`, which is not in the archive.
    case missingStorage(key: String)
    /// A storage's numel × element size differs from its record's size.
    case storageSizeMismatch(key: String, declared: Int, actual: Int)
    /// A negative size, stride or offset, or a size that overflows.
    case badView(tensor: String, reason: String)
    /// A view that repeats storage elements (stride 0, overlapping strides) into more bytes than both its storage
    /// and the cap: a few bytes of file must not make `load` allocate gigabytes.
    case viewTooLarge(tensor: String, bytes: Int, storageBytes: Int, cap: Int)
    /// The view reaches element `end - 1` of a storage holding `storageElements`.
    case viewOutOfBounds(tensor: String, end: Int, storageElements: Int)

    public var description: String {
        switch self {
        case .legacyFormat:
            "unsupported legacy PyTorch format (saved with _use_new_zipfile_serialization=False); re-save it with torch.save"
        case .noDataPickle: "not a PyTorch checkpoint: no <folder>/data.pkl in the zip"
        case let .ambiguousArchive(a, b): "two archive folders hold a data.pkl: \(quoted(a)) and \(quoted(b))"
        case let .entryOutsideArchive(e, f): "entry \(quoted(e)) is outside the archive folder \(quoted(f))"
        case .bigEndian: "big-endian PyTorch checkpoints are not supported"
        case let .badByteOrder(s): "bad byteorder record \(quoted(s)) (expected \"little\")"
        case let .notAStateDict(t): "the pickle holds a \(t), not a state dict"
        case let .badKey(p, t): "key of type \(t) under \(quoted(p)) is not a str or int"
        case let .intKey(p, k):
            p.isEmpty ? "the state dict's key \(k) is an int, not a str: a state dict is keyed by names"
                : "int key \(k) under \(quoted(p)) holds a tensor: a tensor is named by a str key"
        case let .badName(n): "bad tensor name \(quoted(n))"
        case let .duplicateName(n): "two tensors are named \(quoted(n))"
        case let .nestingTooDeep(cap): "the state dict nests deeper than \(cap) levels"
        case let .tooManyEntries(cap): "the state dict has more than \(cap) entries to visit"
        case let .unsupportedDType(t, d): "tensor \(quoted(t)): unsupported dtype torch.\(d)"
        case let .missingStorage(k): "storage \(quoted(k)) is not in the archive (data/\(k))"
        case let .storageSizeMismatch(k, d, a): "storage \(quoted(k)) declares \(d) bytes, its record has \(a)"
        case let .badView(t, r): "tensor \(quoted(t)): bad view: \(r)"
        case let .viewTooLarge(t, b, s, cap):
            "tensor \(quoted(t)): a view of \(b) bytes from a storage of \(s) exceeds the cap of \(cap) bytes"
        case let .viewOutOfBounds(t, end, n):
            "tensor \(quoted(t)): view reaches element \(end - 1) of a storage of \(n) elements"
        }
    }
}
