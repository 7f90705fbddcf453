import IngotFormat

/// A PyTorch checkpoint written by `torch.save` (`.bin`, `.pt`, `.pth`) as a tensor source, read without running
/// any Python: the zip's `<folder>/data.pkl` is interpreted by `PickleMachine` (an allowlist of the globals state
/// dicts use, nothing executed) and each tensor is a view of a storage record `<folder>/data/<key>`.
///
/// Opening parses the pickle, flattens the state dict (`PyTorchStateDict`: nested keys joined with ".", scalar
/// leaves as metadata) and checks every tensor's view against its storage record's size; no storage bytes are
/// read. `load` checks the record's CRC-32 (once per stored record) and returns a zero-copy slice of the mapping
/// when the record is stored and the view contiguous (tied weights share one storage: both names slice the same bytes), else a contiguous
/// copy. Little-endian checkpoints only; the legacy non-zip format is refused.
public final class PyTorchCheckpoint: TensorSource, Sendable {
    struct Tensor: Sendable {
        let entry: ZipEntry
        let view: PyTorchView
    }

    public let path: String
    public let archive: ZipArchive
    /// The archive's top folder: the saved file's stem, or `archive`.
    public let folder: String
    public let descriptors: [TensorDescriptor]
    /// The bool, int, float and str values held directly by the state dict's dicts (`epoch`,
    /// `optimizer.param_groups.0.lr`), typed, under their flattened names; see `PyTorchStateDict`.
    public let metadata: JSONObject
    private let tensors: [ExactKey: Tensor]
    private let verified = VerifiedSet()

    public var formatName: String { "pytorch" }

    /// The most bytes a view may have beyond its storage's size. Views larger than their storage repeat elements
    /// (`expand`, overlapping strides); real ones are small (position ids, masks), hostile ones could ask `load`
    /// for terabytes from a one-element storage.
    public static let maxExpandedBytes = 256 << 20

    /// The pickled magic number that starts a legacy (non-zip) torch file: LONG1 of 10 bytes, 0x1950a86a20f9469cfc6c.
    static let legacyMagic: [UInt8] = [0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    public convenience init(path: String, limits: ZipLimits = ZipLimits(), pickleLimits: PickleLimits = PickleLimits()) throws {
        let f = try withPath(path) { try MappedFile(path: path) }
        try self.init(mapped: f, limits: limits, pickleLimits: pickleLimits)
    }

    public init(mapped f: MappedFile, limits: ZipLimits = ZipLimits(), pickleLimits: PickleLimits = PickleLimits()) throws {
        path = f.path
        if Self.isLegacy(f.bytes) { throw FileError(path: f.path, PyTorchError.legacyFormat) }
        archive = try ZipArchive(file: f, limits: limits)
        do {
            folder = try Self.findFolder(archive)
            try Self.checkByteOrder(archive, folder: folder)
            guard let pickleEntry = archive.entry(folder + "/data.pkl") else { throw PyTorchError.noDataPickle }
            guard pickleEntry.uncompressedSize <= pickleLimits.maxBytes else {
                throw PickleError.tooLarge(size: pickleEntry.uncompressedSize, cap: pickleLimits.maxBytes)
            }
            let pickle = try archive.checkedContents(pickleEntry)
            let result = try pickle.withBytes { b throws(PickleError) in try PickleMachine.run(b, limits: pickleLimits) }
            let stateDict = try PyTorchStateDict(result, limits: pickleLimits)
            var descriptors: [TensorDescriptor] = []
            var tensors: [ExactKey: Tensor] = [:]
            descriptors.reserveCapacity(stateDict.entries.count)
            for e in stateDict.entries {
                let t = try Self.tensor(e.name, result.tensors[e.tensor], result, archive, folder: folder)
                // Names are unique: PyTorchStateDict refuses duplicates.
                tensors[ExactKey(e.name)] = t.tensor
                descriptors.append(TensorDescriptor(name: e.name, layout: t.layout))
            }
            self.descriptors = descriptors
            self.tensors = tensors
            metadata = stateDict.metadata
        } catch { throw FileError(path: f.path, error) }
    }

    public func load(_ name: String) throws -> TensorBuffer {
        guard let t = tensors[ExactKey(name)] else { throw FileError(path: path, IngotError.noSuchTensor(name)) }
        do {
            let v = t.view
            // An empty view reads nothing (its offset is not checked against the storage, as in torch).
            if v.elementCount == 0 { return TensorBuffer(OwnedBytes(count: 0)) }
            let storage = try storageBytes(t.entry)
            if v.isContiguous {
                let r = v.byteRange
                // In bounds: the view was checked against this record's size when the file was opened.
                guard let bytes = storage.bytes.bounded(r.start, r.count) else {
                    throw PyTorchError.viewOutOfBounds(tensor: name, end: v.offset &+ v.elementCount,
                                                       storageElements: storage.count / v.elementSize)
                }
                return TensorBuffer(bytes: bytes, owner: storage.owner)
            }
            // A strided view is copied out; its size was bounded when the file was opened (storage size or
            // `maxExpandedBytes`), and is checked against the machine before it is allocated.
            let bytes = v.elementCount &* v.elementSize
            try MemoryBudget.check(bytes, for: "tensor \(quoted(name)) (a contiguous copy of its view)")
            let out = OwnedBytes(count: bytes)
            storage.withBytes { v.copy(from: $0, into: out.mutable) }
            return TensorBuffer(out)
        } catch { throw FileError(path: path, error) }
    }

    /// A storage record's bytes. A stored record's CRC-32 is checked on its first load only (see
    /// `VerifiedSet`); a deflated one is inflated, and so checked, every time.
    private func storageBytes(_ e: ZipEntry) throws(ZipError) -> TensorBuffer {
        if e.method == .stored, verified.contains(e.localHeaderOffset) {
            return try archive.prefix(of: e, count: e.uncompressedSize)
        }
        let b = try archive.checkedContents(e)
        if e.method == .stored { verified.insert(e.localHeaderOffset) }
        return b
    }

    /// True for files this reader should open: a legacy torch file (to refuse it by name), or a zip that is a
    /// `.pt`/`.pth`/`.bin`/`.ckpt` (an empty zip too: the user named a checkpoint, so its error is "no data.pkl")
    /// or whose first entry is `<folder>/data.pkl` (torch.save writes it first), unless it is named `.npz`.
    /// `openTensorSource` asks this before treating a zip as an `.npz`.
    public static func recognizes(_ b: UnsafeRawBufferPointer, path: String) -> Bool {
        if isLegacy(b) { return true }
        let entries = b.hasPrefix([0x50, 0x4B, 0x03, 0x04])
        guard entries || b.hasPrefix([0x50, 0x4B, 0x05, 0x06]) else { return false }
        let lower = path.lowercased()
        if lower.hasSuffix(".npz") { return false }
        if [".pt", ".pth", ".bin", ".ckpt"].contains(where: { lower.hasSuffix($0) }) { return true }
        guard entries else { return false }
        guard let n = b.le(UInt16.self, at: 26), let name = b.bounded(30, Int(n)) else { return false }
        let suffix = Array("/data.pkl".utf8)
        return name.count > suffix.count && name.suffix(suffix.count).elementsEqual(suffix)
    }

    /// The legacy format starts with the pickled magic number, after PROTO (and, from protocol 4, a FRAME).
    static func isLegacy(_ b: UnsafeRawBufferPointer) -> Bool {
        guard b.first == 0x80 else { return false }
        let window = b.bounded(0, min(b.count, 16 + legacyMagic.count)) ?? b
        let m = legacyMagic.count
        guard window.count >= m else { return false }
        for start in 0...(window.count - m) where window[start] == legacyMagic[0] {
            if window.bounded(start, m)?.elementsEqual(legacyMagic) == true { return true }
        }
        return false
    }

    /// The one top folder holding `data.pkl`; every entry must be inside it. Names are compared by their UTF-8
    /// bytes (String's `hasPrefix` and `split` work on grapheme clusters: "/" plus a combining mark is not "/").
    private static func findFolder(_ archive: ZipArchive) throws(PyTorchError) -> String {
        let slash = UInt8(ascii: "/")
        var folder: String? = nil
        for e in archive.entries {
            let parts = e.name.utf8.split(separator: slash, omittingEmptySubsequences: false)
            guard parts.count == 2, let first = parts.first, let last = parts.last, !first.isEmpty,
                last.elementsEqual("data.pkl".utf8)
            else { continue }
            let name = String(decoding: first, as: UTF8.self)
            if let f = folder { throw .ambiguousArchive(f, name) }
            folder = name
        }
        guard let f = folder else { throw .noDataPickle }
        let prefix = Array((f + "/").utf8)
        for e in archive.entries where !e.name.utf8.starts(with: prefix) {
            throw .entryOutsideArchive(entry: e.name, folder: f)
        }
        return f
    }

    /// `byteorder` (absent in checkpoints older than torch 1.10, which were little-endian in practice) must say
    /// "little": storages are used as they are.
    private static func checkByteOrder(_ archive: ZipArchive, folder: String) throws {
        guard let e = archive.entry(folder + "/byteorder") else { return }
        guard e.uncompressedSize <= 16 else { throw PyTorchError.badByteOrder("a record of \(e.uncompressedSize) bytes") }
        let text = try archive.checkedContents(e).withBytes { String(decoding: $0, as: UTF8.self) }
        switch text {
        case "little": return
        case "big": throw PyTorchError.bigEndian
        default: throw PyTorchError.badByteOrder(text)
        }
    }

    /// Resolves one flattened tensor: its storage record, dtype and checked view.
    private static func tensor(_ name: String, _ t: PickleTensor, _ r: PickleResult, _ archive: ZipArchive,
                               folder: String) throws -> (tensor: Tensor, layout: TensorLayout) {
        let s = r.storages[t.storage]
        // The rank before the view's own checks, so that a long size tuple is reported as such.
        guard t.shape.count <= Limits.maxRank else { throw IngotError.badShape(tensor: name, reason: Limits.rankExceeded(t.shape.count)) }
        guard let dtype = t.dtype.dtype, let elementSize = t.dtype.elementSize else {
            throw PyTorchError.unsupportedDType(tensor: name, dtype: t.dtype.name)
        }
        guard let storageElementSize = s.dtype.elementSize else {
            throw PyTorchError.unsupportedDType(tensor: name, dtype: s.dtype.name)
        }
        guard let entry = archive.entry(folder + "/data/" + s.key) else { throw PyTorchError.missingStorage(key: s.key) }
        guard let declared = Checked.mul(s.numel, storageElementSize), declared == entry.uncompressedSize else {
            throw PyTorchError.storageSizeMismatch(key: s.key, declared: Checked.mul(s.numel, storageElementSize) ?? Int.max,
                                                   actual: entry.uncompressedSize)
        }
        let view = try PyTorchView(tensor: name, shape: t.shape, strides: t.strides, offset: t.offset,
                                   elementSize: elementSize, storageElements: entry.uncompressedSize / elementSize)
        let layout = try TensorLayout(name: name, dtype: dtype, shape: t.shape, groupSize: nil)
        guard layout.byteCount <= max(entry.uncompressedSize, maxExpandedBytes) else {
            throw PyTorchError.viewTooLarge(tensor: name, bytes: layout.byteCount, storageBytes: entry.uncompressedSize,
                                            cap: maxExpandedBytes)
        }
        return (Tensor(entry: entry, view: view), layout)
    }
}
