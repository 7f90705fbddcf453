/// The decoded header: alignment, typed metadata and the ordered tensor table (spec "Header").
public struct IngotHeader: Sendable, Equatable {
    public var alignment: Int
    public var metadata: JSONObject
    public var tensors: [TensorEntry]

    public init(alignment: Int = Limits.defaultAlignment, metadata: JSONObject = JSONObject(), tensors: [TensorEntry] = []) {
        self.alignment = alignment
        self.metadata = metadata
        self.tensors = tensors
    }

    /// Parses and checks the header JSON. Keys unknown to this reader are an error unless the file's minor version is
    /// newer than ours (minor versions only ever add optional keys).
    public init(json bytes: UnsafeRawBufferPointer, minor: Int) throws(IngotError) {
        let root: JSONValue
        do { root = try JSONParser.parse(bytes) } catch { throw .invalidJSON(error.description) }
        guard let o = root.objectValue else { throw .invalidHeader("the header is not a JSON object") }
        let strict = minor <= Int(Preamble.minor)
        if strict, let k = o.keys.first(where: { !["alignment", "metadata", "tensors"].contains($0) }) {
            throw .invalidHeader("unknown key \(quoted(k))")
        }
        guard let a = o["alignment"]?.intValue else { throw .invalidHeader("missing integer \"alignment\"") }
        guard a >= Int64(Limits.minAlignment), a <= Int64(Limits.maxAlignment), a & (a - 1) == 0 else {
            throw .badAlignment(a > Int64(Int.max) ? Int.max : Int(truncatingIfNeeded: a))
        }
        alignment = Int(a)
        guard let m = o["metadata"]?.objectValue else { throw .invalidHeader("missing object \"metadata\"") }
        metadata = m
        guard let list = o["tensors"]?.arrayValue else { throw .invalidHeader("missing array \"tensors\"") }
        guard list.count <= Limits.maxTensors else { throw .tooManyTensors(list.count) }
        var seen = Set<ExactKey>()
        var entries = [TensorEntry]()
        entries.reserveCapacity(list.count)
        for (i, t) in list.enumerated() {
            let e = try TensorEntry(json: t, index: i, strict: strict)
            guard seen.insert(ExactKey(e.name)).inserted else { throw .duplicateName(e.name) }
            entries.append(e)
        }
        tensors = entries
    }

    /// Canonical header bytes: the same header always encodes to the same bytes.
    public func encoded() throws(IngotError) -> [UInt8] {
        let root = JSONValue.object(JSONObject([
            ("alignment", .int(Int64(alignment))),
            ("metadata", .object(metadata)),
            ("tensors", .array(tensors.map(\.json))),
        ]))
        do { return Array(try JSONWriter.encode(root).utf8) } catch { throw .unsupported("metadata: \(error)") }
    }

    /// Proves the data layout from the header alone (spec "Layout rules"): each tensor starts at the first aligned
    /// offset after the previous one, nothing overlaps, and the file ends exactly after the last tensor.
    /// Returns the end of the last tensor, relative to the data section.
    func validateLayout(dataOffset: Int, fileSize: Int) throws(IngotError) -> Int {
        let dataSize = fileSize - dataOffset
        var end = 0
        for t in tensors {
            guard t.offset % alignment == 0 else { throw .misaligned(tensor: t.name, offset: t.offset, alignment: alignment) }
            guard let tEnd = Checked.add(t.offset, t.length), let expected = Checked.alignUp(end, alignment) else {
                throw .sizeOverflow(tensor: t.name)
            }
            if t.offset < end { throw .overlap(tensor: t.name, offset: t.offset, previousEnd: end) }
            if t.offset != expected { throw .hole(tensor: t.name, offset: t.offset, expected: expected) }
            guard tEnd <= dataSize else {
                // The absolute end may not fit in 63 bits: report it saturated rather than overflow.
                throw .tensorBeyondFile(tensor: t.name, end: Checked.add(dataOffset, tEnd) ?? Int.max, fileSize: fileSize)
            }
            end = tEnd
        }
        return end
    }
}
