/// One row of the header's tensor table.
public struct TensorEntry: Sendable, Equatable {
    public let name: String
    public let layout: TensorLayout
    /// Start of the stored bytes, relative to the data section.
    public let offset: Int
    /// Stored bytes (equal to `layout.byteCount` for raw tensors).
    public let length: Int
    public let encoding: Encoding
    /// XXH3-64 of the decoded bytes.
    public let checksum: UInt64

    public init(name: String, layout: TensorLayout, offset: Int, length: Int, encoding: Encoding, checksum: UInt64) {
        self.name = name
        self.layout = layout
        self.offset = offset
        self.length = length
        self.encoding = encoding
        self.checksum = checksum
    }

    /// Spec rule: 1 to 4096 UTF-8 bytes, no control characters (C0, DEL, C1: a name must never be able to drive
    /// the terminal it is printed on).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= Limits.maxNameBytes
            && !name.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) }
    }

    public var dtype: DType { layout.dtype }
    public var shape: [Int] { layout.shape }

    /// Chunk geometry of a chunked tensor.
    var geometry: ChunkCodec.Geometry? {
        guard case let .chunked(chunkBytes, filter) = encoding else { return nil }
        let planes = filter == .bytegroup ? (layout.dtype.floatWidth ?? 1) : 1
        return .init(decodedBytes: layout.byteCount, chunkBytes: chunkBytes, planes: planes)
    }

    var json: JSONValue {
        var o = JSONObject()
        o["name"] = .string(name)
        o["dtype"] = .string(layout.dtype.rawValue)
        if let g = layout.groupSize { o["group_size"] = .int(Int64(g)) }
        o["shape"] = .array(layout.shape.map { .int(Int64($0)) })
        o["offset"] = .int(Int64(offset))
        o["length"] = .int(Int64(length))
        switch encoding {
        case .raw: o["encoding"] = .string("raw")
        case let .chunked(chunkBytes, filter):
            o["encoding"] = .object(JSONObject([
                ("type", .string("chunked")), ("chunk_size", .int(Int64(chunkBytes))), ("filter", .string(filter.rawValue)),
            ]))
        }
        o["xxh3"] = .string(XXH3.hexString(checksum))
        return .object(o)
    }

    static let knownKeys = ["name", "dtype", "group_size", "shape", "offset", "length", "encoding", "xxh3"]

    /// Reads one tensor-table row; `strict` rejects keys this reader does not know.
    init(json: JSONValue, index: Int, strict: Bool) throws(IngotError) {
        guard let o = json.objectValue else { throw .invalidHeader("tensors[\(index)] is not an object") }
        let label = "tensors[\(index)]"
        if strict, let k = o.keys.first(where: { !TensorEntry.knownKeys.contains($0) }) {
            throw .invalidHeader("\(label): unknown key \(quoted(k))")
        }
        guard let name = o["name"]?.stringValue else { throw .invalidHeader("\(label): missing string \"name\"") }
        guard TensorEntry.isValidName(name) else { throw .badName(name) }
        func int(_ key: String) throws(IngotError) -> Int {
            guard let v = o[key]?.intValue else { throw .invalidHeader("tensor \(quoted(name)): missing integer \(quoted(key))") }
            guard v >= 0 else { throw .invalidHeader("tensor \(quoted(name)): negative \(quoted(key))") }
            return Int(v)
        }
        guard let dtypeText = o["dtype"]?.stringValue else { throw .invalidHeader("tensor \(quoted(name)): missing string \"dtype\"") }
        guard let dtype = DType(rawValue: dtypeText) else { throw .unknownDType(tensor: name, dtype: dtypeText) }
        guard let dims = o["shape"]?.arrayValue else { throw .invalidHeader("tensor \(quoted(name)): missing array \"shape\"") }
        guard dims.count <= Limits.maxRank else { throw .badShape(tensor: name, reason: Limits.rankExceeded(dims.count)) }
        var shape = [Int]()
        for d in dims {
            guard let v = d.intValue else { throw .badShape(tensor: name, reason: "dimension \(d) is not an integer") }
            guard v >= 0 else { throw .badShape(tensor: name, reason: "negative dimension \(v)") }
            shape.append(Int(v))
        }
        var group: Int? = nil
        if let g = o["group_size"] {
            guard let v = g.intValue, v > 0, v <= Int64(Limits.maxGroupSize) else {
                throw .badGroupSize(tensor: name, reason: "\(g) is not an integer in [2, \(Limits.maxGroupSize)]")
            }
            group = Int(v)
        }
        layout = try TensorLayout(name: name, dtype: dtype, shape: shape, groupSize: group)
        self.name = name
        offset = try int("offset")
        length = try int("length")
        guard let sum = o["xxh3"]?.stringValue, let c = XXH3.parseHex(sum) else {
            throw .invalidHeader("tensor \(quoted(name)): \"xxh3\" must be 16 lowercase hex digits")
        }
        checksum = c
        switch o["encoding"] {
        case .string("raw"):
            encoding = .raw
        case let .string(other):
            throw .unknownEncoding(tensor: name, encoding: other)
        case let .object(e):
            guard let type = e["type"]?.stringValue else { throw .invalidHeader("tensor \(quoted(name)): encoding without a \"type\"") }
            guard type == "chunked" else { throw .unknownEncoding(tensor: name, encoding: type) }
            if strict, let k = e.keys.first(where: { !["type", "chunk_size", "filter"].contains($0) }) {
                throw .invalidHeader("tensor \(quoted(name)): unknown encoding key \(quoted(k))")
            }
            guard let f = e["filter"]?.stringValue else { throw .invalidHeader("tensor \(quoted(name)): encoding without a \"filter\"") }
            guard let filter = Encoding.Filter(rawValue: f) else { throw .unknownEncoding(tensor: name, encoding: "chunked filter \(f)") }
            guard filter == .none || dtype.isFloat else {
                throw .unknownEncoding(tensor: name, encoding: "bytegroup on non-float dtype \(dtype)")
            }
            guard let cs = e["chunk_size"]?.intValue else { throw .invalidHeader("tensor \(quoted(name)): encoding without \"chunk_size\"") }
            let unit = layout.unitBytes
            guard cs > 0, cs <= Int64(Limits.maxChunkBytes), Int(cs) % unit == 0 else {
                throw .badChunkSize(tensor: name, chunkSize: cs > Int64(Int.max) ? Int.max : Int(cs))
            }
            encoding = .chunked(chunkBytes: Int(cs), filter: filter)
        default:
            throw .invalidHeader("tensor \(quoted(name)): \"encoding\" must be \"raw\" or an object")
        }
        if encoding == .raw, length != layout.byteCount {
            throw .lengthMismatch(tensor: name, stored: length, expected: layout.byteCount)
        }
        if let g = geometry {
            guard g.count <= Limits.maxChunks else {
                throw .badChunkTable(tensor: name, reason: "\(g.count) chunks exceed the cap of \(Limits.maxChunks)")
            }
            guard length >= g.tableBytes else {
                throw .badChunkTable(tensor: name, reason: "\(g.count) chunks need a \(g.tableBytes)-byte table, \(length) bytes stored")
            }
            guard g.count > 0 || length == 0 else {
                throw .badChunkTable(tensor: name, reason: "an empty tensor stores \(length) bytes")
            }
        }
    }
}
