import IngotFormat

/// A GGUF header proven against the file it came from: opening parses every key-value pair and tensor info and
/// checks the whole data layout (O(header); tensor bytes are never touched), so every later read is in bounds.
/// The rules are ggml's `gguf_init_from_file` plus Ingot's caps; specs/gguf-mapping.md lists them.
struct GGUFHeader: Sendable {
    static let magic: [UInt8] = Array("GGUF".utf8)
    static let alignmentKey = "general.alignment"
    static let defaultAlignment = 32

    let version: UInt32
    let keyValues: [GGUFKeyValue]
    let tensors: [GGUFTensorInfo]
    let alignment: Int
    /// Absolute file offset of the data section: the end of the tensor infos rounded up to `alignment`.
    let dataOffset: Int

    init(file b: UnsafeRawBufferPointer) throws(GGUFError) {
        var c = GGUFCursor(b)
        let magic = try c.take(4, "magic")
        guard magic.elementsEqual(Self.magic) else { throw .badMagic }
        let v = try c.read(UInt32.self, "version")
        // ggml's order: 0 is invalid, a zero low half means the other byte order, then 1 is obsolete.
        guard v != 0 else { throw .unsupportedVersion(v) }
        guard v & 0xFFFF != 0 else { throw .bigEndian(version: v) }
        guard v == 2 || v == 3 else { throw .unsupportedVersion(v) }
        version = v

        let tensorCount = try c.read(UInt64.self, "tensor count")
        let kvCount = try c.read(UInt64.self, "key-value count")
        guard tensorCount <= UInt64(GGUFLimits.maxTensors) else { throw .tooManyTensors(tensorCount) }
        guard kvCount <= UInt64(GGUFLimits.maxKeyValues) else { throw .tooManyKeyValues(kvCount) }
        // Both counts are below 2^20: the smallest size of all of them together cannot overflow.
        let minBytes = kvCount * UInt64(GGUFLimits.minKeyValueBytes) + tensorCount * UInt64(GGUFLimits.minTensorInfoBytes)
        try c.require(minBytes, atLeast: 1, "\(kvCount) key-value pairs and \(tensorCount) tensor infos")

        keyValues = try Self.keyValues(&c, count: Int(kvCount))
        alignment = try Self.alignment(keyValues)
        let infos = try Self.tensorInfos(&c, count: Int(tensorCount))

        // The data section starts at the next multiple of the alignment; ggml seeks there only when there are tensors.
        guard let data = Checked.alignUp(c.offset, alignment) else { throw .headerTooLarge }
        if !infos.isEmpty && data > b.count {
            throw .truncated(what: "padding before the data section", offset: c.offset,
                             need: UInt64(data - c.offset), have: b.count - c.offset)
        }
        dataOffset = data
        tensors = try Self.checkLayout(infos, dataOffset: data, alignment: alignment, fileSize: b.count)
    }

    // MARK: key-value pairs

    private static func keyValues(_ c: inout GGUFCursor, count: Int) throws(GGUFError) -> [GGUFKeyValue] {
        var kvs: [GGUFKeyValue] = []
        kvs.reserveCapacity(count)
        var seen = Set<ExactKey>(minimumCapacity: count)
        for i in 0..<count {
            let key = try c.string("key of key-value pair \(i)")
            guard !key.isEmpty else { throw .emptyKey(index: i) }
            guard seen.insert(ExactKey(key)).inserted else { throw .duplicateKey(key) }
            guard !sameScalars(key, GGUFMetadata.typesKey) else { throw .reservedKey(key) }
            let raw = try c.read(UInt32.self, "value type of key \(quoted(key))")
            guard let type = GGUFValueType(rawValue: raw) else { throw .unknownValueType(key: key, type: raw) }
            kvs.append(GGUFKeyValue(key, try value(&c, type, key: key)))
        }
        return kvs
    }

    private static func value(_ c: inout GGUFCursor, _ type: GGUFValueType, key: String) throws(GGUFError) -> GGUFValue {
        let what = { "value of key \(quoted(key))" }
        switch type {
        case .uint8: return .uint8(try c.read(UInt8.self, what()))
        case .int8: return .int8(try c.read(Int8.self, what()))
        case .uint16: return .uint16(try c.read(UInt16.self, what()))
        case .int16: return .int16(try c.read(Int16.self, what()))
        case .uint32: return .uint32(try c.read(UInt32.self, what()))
        case .int32: return .int32(try c.read(Int32.self, what()))
        case .float32: return .float32(Float(bitPattern: try c.read(UInt32.self, what())))
        // ggml reads a bool as an int8 and takes any nonzero byte as true.
        case .bool: return .bool(try c.read(UInt8.self, what()) != 0)
        case .string: return .string(try c.string(what()))
        case .array: return .array(try array(&c, key: key, depth: 1))
        case .uint64: return .uint64(try c.read(UInt64.self, what()))
        case .int64: return .int64(try c.read(Int64.self, what()))
        case .float64: return .float64(Double(bitPattern: try c.read(UInt64.self, what())))
        }
    }

    /// An array (element type, count, elements) at nesting level `depth` (1 for a key's own array).
    private static func array(_ c: inout GGUFCursor, key: String, depth: Int) throws(GGUFError) -> GGUFArray {
        guard depth <= GGUFLimits.maxArrayDepth else { throw .arrayTooDeep(key: key) }
        let raw = try c.read(UInt32.self, "array element type of key \(quoted(key))")
        guard let type = GGUFValueType(rawValue: raw) else { throw .unknownValueType(key: key, type: raw) }
        let n = try c.read(UInt64.self, "array length of key \(quoted(key))")
        guard n <= UInt64(GGUFLimits.maxArrayCount) else { throw .arrayTooLong(key: key, count: n) }
        try c.require(n, atLeast: type.minEncodedSize, "\(n) array elements of key \(quoted(key))")
        let count = Int(n)
        let what = { "array of key \(quoted(key))" }
        switch type {
        case .uint8: return .uint8(try c.values(UInt8.self, count: count, what()))
        case .int8: return .int8(try c.values(Int8.self, count: count, what()))
        case .uint16: return .uint16(try c.values(UInt16.self, count: count, what()))
        case .int16: return .int16(try c.values(Int16.self, count: count, what()))
        case .uint32: return .uint32(try c.values(UInt32.self, count: count, what()))
        case .int32: return .int32(try c.values(Int32.self, count: count, what()))
        case .float32: return .float32(try c.values(UInt32.self, count: count, what()).map(Float.init(bitPattern:)))
        case .bool: return .bool(try c.values(UInt8.self, count: count, what()).map { $0 != 0 })
        case .uint64: return .uint64(try c.values(UInt64.self, count: count, what()))
        case .int64: return .int64(try c.values(Int64.self, count: count, what()))
        case .float64: return .float64(try c.values(UInt64.self, count: count, what()).map(Double.init(bitPattern:)))
        case .string:
            var out: [String] = []
            out.reserveCapacity(count)
            for i in 0..<count { out.append(try c.string("element \(i) of key \(quoted(key))")) }
            return .string(out)
        case .array:
            var out: [GGUFArray] = []
            out.reserveCapacity(count)
            for _ in 0..<count { out.append(try array(&c, key: key, depth: depth + 1)) }
            return .array(out)
        }
    }

    /// `general.alignment` must be a u32 (ggml refuses any other type) and a nonzero power of two; 32 when absent.
    private static func alignment(_ kvs: [GGUFKeyValue]) throws(GGUFError) -> Int {
        guard let kv = kvs.first(where: { sameScalars($0.key, alignmentKey) }) else { return defaultAlignment }
        guard case let .uint32(a) = kv.value else { throw .alignmentNotU32(type: GGUFMetadata.typeName(kv.value)) }
        guard a != 0, a & (a - 1) == 0 else { throw .badAlignment(UInt64(a)) }
        return Int(a)
    }

    // MARK: tensor infos

    private struct RawInfo {
        let info: GGUFTensorInfo
        /// The offset as stored (a u64), checked against the file only once the data section is known.
        let storedOffset: UInt64
    }

    private static func tensorInfos(_ c: inout GGUFCursor, count: Int) throws(GGUFError) -> [RawInfo] {
        var infos: [RawInfo] = []
        infos.reserveCapacity(count)
        var seen = Set<ExactKey>(minimumCapacity: count)
        for i in 0..<count {
            let name = try c.string("name of tensor info \(i)")
            guard seen.insert(ExactKey(name)).inserted else { throw .duplicateTensorName(name) }
            let nDims = try c.read(UInt32.self, "dimension count of tensor \(quoted(name))")
            guard nDims <= UInt32(GGUFLimits.maxDimensions) else { throw .tooManyDimensions(tensor: name, count: nDims) }
            var dims: [Int] = []
            dims.reserveCapacity(Int(nDims))
            for j in 0..<Int(nDims) {
                let d = try c.read(UInt64.self, "dimension \(j) of tensor \(quoted(name))")
                guard let v = Checked.int(d) else { throw .dimensionTooLarge(tensor: name, index: j, value: d) }
                dims.append(v)
            }
            let rawType = try c.read(UInt32.self, "type of tensor \(quoted(name))")
            guard let type = GGUFTensorType(rawValue: rawType) else {
                if let known = GGUFTensorType.name(ofID: rawType) {
                    throw .unsupportedTensorType(tensor: name, type: known, id: rawType)
                }
                throw .unknownTensorType(tensor: name, type: rawType)
            }
            let offset = try c.read(UInt64.self, "data offset of tensor \(quoted(name))")

            // Sizes: never a division by a dimension (a zero dimension once crashed ggml with SIGFPE). A zero
            // dimension makes the tensor empty whatever the others are; otherwise every product is checked.
            var elements = dims.contains(0) ? 0 : 1
            if elements > 0 {
                for d in dims {
                    guard let e = Checked.mul(elements, d) else { throw .sizeOverflow(tensor: name) }
                    elements = e
                }
            }
            let rowLength = dims.first ?? 1
            guard rowLength % type.blockSize == 0 else {
                throw .rowNotBlockMultiple(tensor: name, type: type.name, elements: rowLength, blockSize: type.blockSize)
            }
            guard let bytes = Checked.mul(elements / type.blockSize, type.typeSize) else { throw .sizeOverflow(tensor: name) }
            let info = GGUFTensorInfo(name: name, dims: dims, type: type, offset: 0, byteCount: bytes, elementCount: elements)
            infos.append(RawInfo(info: info, storedOffset: offset))
        }
        return infos
    }

    /// Offsets aligned, every tensor inside the file, no two tensors sharing a byte. Unlike ggml, gaps between
    /// tensors and bytes after the last one are allowed (gguf-py reads such files; nothing is ambiguous).
    private static func checkLayout(_ raw: [RawInfo], dataOffset: Int, alignment: Int, fileSize: Int)
        throws(GGUFError) -> [GGUFTensorInfo]
    {
        var infos: [GGUFTensorInfo] = []
        infos.reserveCapacity(raw.count)
        for r in raw {
            let t = r.info
            guard r.storedOffset % UInt64(alignment) == 0 else {
                throw .misalignedOffset(tensor: t.name, offset: r.storedOffset, alignment: alignment)
            }
            guard let offset = Checked.int(r.storedOffset), let start = Checked.add(dataOffset, offset),
                let end = Checked.add(start, t.byteCount), end <= fileSize
            else {
                let (s, o1) = UInt64(dataOffset).addingReportingOverflow(r.storedOffset)
                let (e, o2) = s.addingReportingOverflow(UInt64(t.byteCount))
                throw .tensorBeyondFile(tensor: t.name, end: o1 || o2 ? nil : e, fileSize: fileSize)
            }
            infos.append(GGUFTensorInfo(name: t.name, dims: t.dims, type: t.type, offset: offset, byteCount: t.byteCount,
                                        elementCount: t.elementCount))
        }
        // Empty tensors occupy no bytes and may sit anywhere; the others, in offset order, must not overlap.
        let order = infos.indices.filter { infos[$0].byteCount > 0 }.sorted {
            (infos[$0].offset, $0) < (infos[$1].offset, $1)
        }
        var previous: Int? = nil
        for i in order {
            if let p = previous, infos[i].offset < infos[p].offset + infos[p].byteCount {
                throw .overlap(tensor: infos[i].name, offset: infos[i].offset, previous: infos[p].name,
                               previousEnd: infos[p].offset + infos[p].byteCount)
            }
            previous = i
        }
        return infos
    }
}
