import IngotFormat

/// An open GGUF file (versions 2 and 3, little-endian). Opening maps it and validates the whole header and data
/// layout (`GGUFHeader`); tensors are then zero-copy views of the mapping, blocks included (Q8_0…Q6_K keep their
/// bytes as Ingot's block dtypes; `BlockCodec` decodes them).
///
/// Names, keys and values are exposed raw, exactly as stored: mapping GGUF names and `llama.*` keys onto Ingot's
/// and undoing llama.cpp's q/k row permutation is another layer's job. Shapes are Ingot's order (outermost first),
/// the reverse of GGUF's `dims` (innermost first); `tensorInfos` keeps GGUF's order.
public final class GGUFFile: TensorSource, Sendable {
    public let path: String
    public let file: MappedFile
    /// 2 or 3.
    public let version: UInt32
    /// Every key-value pair, in file order, typed exactly.
    public let keyValues: [GGUFKeyValue]
    /// Every tensor as the header describes it, in file order.
    public let tensorInfos: [GGUFTensorInfo]
    /// `general.alignment`, or 32.
    public let alignment: Int
    /// Absolute file offset of the data section.
    public let dataOffset: Int
    /// The pairs as JSON (`GGUFMetadata.json`): values in file order, then `GGUFMetadata.typesKey`.
    public let metadata: JSONObject
    /// What `load` returns for each tensor, in file order: block types as Ingot's block dtypes (group size 32 for
    /// Q8_0/Q4_0/Q4_1/Q5_0/Q5_1, 256 for the K-quants), the rest as the same element type.
    public let descriptors: [TensorDescriptor]
    private let keyIndex: [ExactKey: Int]
    private let tensorIndex: [ExactKey: Int]
    /// The files of a split model (one otherwise), and which holds each tensor.
    private let parts: [Part]
    private let partOfTensor: [Int]

    public var formatName: String { "gguf" }

    /// The first four bytes of every GGUF file ("GGUF"), for format detection.
    public static let magic: [UInt8] = GGUFHeader.magic

    public convenience init(path: String) throws {
        let f = try withPath(path) { try MappedFile(path: path) }
        try self.init(mapped: f)
    }

    public init(mapped f: MappedFile) throws {
        let header: GGUFHeader
        do { header = try GGUFHeader(file: f.bytes) } catch { throw FileError(path: f.path, error) }
        path = f.path
        file = f
        version = header.version
        alignment = header.alignment
        dataOffset = header.dataOffset
        // llama.cpp's split layout (gguf-split): the first file holds the pairs, every file `split.*` and its own
        // tensors. Opening the first opens the model; the `split.*` pairs describe files, not the model, and go.
        var infos = header.tensors
        var part = [Int](repeating: 0, count: infos.count)
        var parts = [Part(file: f, dataOffset: header.dataOffset)]
        if let split = try GGUFSplit(header.keyValues, path: f.path) {
            guard split.number == 0 else {
                throw FileError(path: f.path, GGUFError.splitNotFirst(number: split.number + 1, count: split.count))
            }
            for n in 1..<split.count {
                let p = try split.siblingPath(n, of: f.path)
                let m = try withPath(p) { try MappedFile(path: p) }
                let h: GGUFHeader
                do { h = try GGUFHeader(file: m.bytes) } catch { throw FileError(path: p, error) }
                guard let s = try GGUFSplit(h.keyValues, path: p), s.number == n, s.count == split.count else {
                    throw FileError(path: p, GGUFError.splitMismatch(expected: "split \(n + 1) of \(split.count)"))
                }
                part += [Int](repeating: parts.count, count: h.tensors.count)
                infos += h.tensors
                parts.append(Part(file: m, dataOffset: h.dataOffset))
            }
            guard infos.count == split.tensors else {
                throw FileError(path: f.path, GGUFError.splitMismatch(expected: "\(split.tensors) tensors in \(split.count) splits, found \(infos.count)"))
            }
        }
        keyValues = header.keyValues.filter { !GGUFSplit.keys.contains($0.key) }
        tensorInfos = infos
        partOfTensor = part
        self.parts = parts
        metadata = GGUFMetadata.json(keyValues)
        var descriptors: [TensorDescriptor] = []
        descriptors.reserveCapacity(infos.count)
        for (i, t) in infos.enumerated() {
            let layout: TensorLayout
            do {
                layout = try TensorLayout(name: t.name, dtype: t.type.ingotDType, shape: t.shape,
                                          groupSize: t.type.ingotDType.isBlockQuantized ? t.type.blockSize : nil)
            } catch {
                // Rank (≤ 4), signs and block divisibility were proven by the header: only the size rule is left.
                throw FileError(path: parts[part[i]].file.path, GGUFError.sizeOverflow(tensor: t.name))
            }
            descriptors.append(TensorDescriptor(name: t.name, layout: layout))
        }
        self.descriptors = descriptors
        // Keys are unique: the header rejects duplicates. Names are unique within a file; across splits, checked here.
        var keys = [ExactKey: Int](minimumCapacity: keyValues.count)
        for (i, kv) in keyValues.enumerated() { keys[ExactKey(kv.key)] = i }
        keyIndex = keys
        var names = [ExactKey: Int](minimumCapacity: tensorInfos.count)
        for (i, t) in tensorInfos.enumerated() {
            guard names[ExactKey(t.name)] == nil else {
                throw FileError(path: parts[part[i]].file.path, GGUFError.duplicateTensorName(t.name))
            }
            names[ExactKey(t.name)] = i
        }
        tensorIndex = names
    }

    /// One file of a (possibly split) model and where its data section starts.
    struct Part: Sendable {
        let file: MappedFile
        let dataOffset: Int
    }

    /// Every file of the model (one, or each split), shown by name.
    public var sourceFiles: [(shown: String, path: String)] {
        parts.map { (baseName($0.file.path), $0.file.path) }
    }

    public func sourceFile(of name: String) -> String? {
        guard parts.count > 1, let i = tensorIndex[ExactKey(name)] else { return nil }
        return baseName(parts[partOfTensor[i]].file.path)
    }

    /// The value stored under `key` (compared by exact code points), nil when there is none.
    public func value(forKey key: String) -> GGUFValue? { keyIndex[ExactKey(key)].map { keyValues[$0].value } }

    /// The header's description of tensor `name`.
    public func tensorInfo(_ name: String) -> GGUFTensorInfo? { tensorIndex[ExactKey(name)].map { tensorInfos[$0] } }

    /// The tensor's bytes exactly as stored (blocks for the quantized types), as a zero-copy view of the mapping.
    public func storedBytes(_ name: String) throws -> TensorBuffer {
        guard let t = tensorInfo(name) else { throw FileError(path: path, IngotError.noSuchTensor(name)) }
        return try stored(t)
    }

    /// The tensor's bytes as a zero-copy view of the mapping: every GGML type Ingot reads has an Ingot dtype with
    /// the same bytes (K-quant and 5-bit blocks included), so nothing is decoded here.
    public func load(_ name: String) throws -> TensorBuffer { try storedBytes(name) }

    public func evict(_ name: String) {
        guard let i = tensorIndex[ExactKey(name)] else { return }
        let t = tensorInfos[i], p = parts[partOfTensor[i]]
        guard let start = Checked.add(p.dataOffset, t.offset), let end = Checked.add(start, t.byteCount) else { return }
        p.file.evict(start..<end)
    }

    private func stored(_ t: GGUFTensorInfo) throws -> TensorBuffer {
        let p = tensorIndex[ExactKey(t.name)].map { parts[partOfTensor[$0]] } ?? parts[0]
        // In bounds: the header proved dataOffset + offset + byteCount ≤ file size.
        guard let start = Checked.add(p.dataOffset, t.offset), let bytes = p.file.bytes.bounded(start, t.byteCount) else {
            throw FileError(path: p.file.path, GGUFError.tensorBeyondFile(tensor: t.name, end: nil, fileSize: p.file.bytes.count))
        }
        return TensorBuffer(bytes: bytes, owner: p.file)
    }
}
