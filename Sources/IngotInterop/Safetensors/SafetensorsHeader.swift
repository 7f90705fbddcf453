import IngotFormat

/// A safetensors header proven against the file it came from: opening parses the JSON and checks the whole data
/// layout (O(header); tensor bytes are never touched), so every later read is in bounds.
struct SafetensorsHeader: Sendable {
    /// The Rust crate's `MAX_HEADER_SIZE`.
    static let maxHeaderBytes = 100_000_000

    struct Tensor: Sendable {
        let descriptor: TensorDescriptor
        /// `data_offsets`, relative to the data buffer that starts at 8 + header length.
        let begin: Int
        let end: Int
    }

    let headerLength: Int
    let metadata: JSONObject
    /// In data-offset order, as the Rust crate lists them.
    let tensors: [Tensor]

    var dataStart: Int { 8 + headerLength }

    init(file b: UnsafeRawBufferPointer) throws(SafetensorsError) {
        guard let n64 = b.le(UInt64.self, at: 0) else { throw .fileTooSmall(size: b.count) }
        guard n64 <= UInt64(Self.maxHeaderBytes) else { throw .headerTooLarge(n64) }
        let n = Int(n64)
        guard let json = b.bounded(8, n) else { throw .headerBeyondFile(end: 8 + n, fileSize: b.count) }
        // The crate checks UTF-8 before parsing; doing the same keeps "not UTF-8" apart from "not JSON".
        if let bad = UTF8Validation.firstInvalidOffset(json) { throw .invalidUTF8(offset: bad) }
        let root: JSONValue
        do { root = try JSONParser.parse(json) } catch { throw .invalidJSON(error.description) }
        guard let object = root.objectValue else { throw .headerNotObject(type: root.typeName) }

        let tensorCount = object.count - (object["__metadata__"] == nil ? 0 : 1)
        guard tensorCount <= Limits.maxTensors else { throw .tooManyTensors(tensorCount) }
        var metadata = JSONObject()
        var parsed: [(tensor: Tensor, index: Int)] = []
        parsed.reserveCapacity(tensorCount)
        for (key, value) in object {
            if key == "__metadata__" {
                metadata = try Self.metadata(value)
                continue
            }
            parsed.append((try Self.tensor(key, value), parsed.count))
        }
        // The crate sorts by (begin, end); the header index breaks ties so the order never depends on the sort.
        parsed.sort { ($0.tensor.begin, $0.tensor.end, $0.index) < ($1.tensor.begin, $1.tensor.end, $1.index) }
        var expected = 0
        for (t, _) in parsed {
            let name = t.descriptor.name
            if t.begin > expected { throw .hole(tensor: name, begin: t.begin, expected: expected) }
            if t.begin < expected { throw .overlap(tensor: name, begin: t.begin, previousEnd: expected) }
            let span = t.end - t.begin  // end >= begin was checked when parsing
            guard span == t.descriptor.layout.byteCount else {
                throw .spanMismatch(tensor: name, span: span, expected: t.descriptor.layout.byteCount)
            }
            expected = t.end
        }
        guard let fileEnd = Checked.add(8 + n, expected), fileEnd <= b.count else {
            let need = Checked.add(8 + n, expected) ?? Int.max
            throw .dataBeyondFile(expectedSize: need, fileSize: b.count)
        }
        guard fileEnd == b.count else { throw .trailingBytes(expectedSize: fileEnd, fileSize: b.count) }
        headerLength = n
        self.metadata = metadata
        tensors = parsed.map(\.tensor)
    }

    /// `__metadata__`: an object of strings (null, which the crate reads as "no metadata", is accepted too).
    private static func metadata(_ value: JSONValue) throws(SafetensorsError) -> JSONObject {
        if value == .null { return JSONObject() }
        guard let o = value.objectValue else { throw .metadataNotObject(type: value.typeName) }
        for (k, v) in o where v.stringValue == nil { throw .nonStringMetadata(key: k, type: v.typeName) }
        return o
    }

    private static func tensor(_ name: String, _ value: JSONValue) throws(SafetensorsError) -> Tensor {
        guard let o = value.objectValue else { throw .tensorNotObject(tensor: name, type: value.typeName) }
        for k in o.keys where !["dtype", "shape", "data_offsets"].contains(k) { throw .unknownField(tensor: name, field: k) }
        guard let dtypeValue = o["dtype"] else { throw .missingField(tensor: name, field: "dtype") }
        guard let shapeValue = o["shape"] else { throw .missingField(tensor: name, field: "shape") }
        guard let offsetsValue = o["data_offsets"] else { throw .missingField(tensor: name, field: "data_offsets") }

        guard let code = dtypeValue.stringValue else { throw .badField(tensor: name, field: "dtype", expected: "a string") }
        let dtype: DType
        switch SafetensorsDType.lookup(code) {
        case let .supported(d): dtype = d
        case .unsupported: throw .unsupportedDType(tensor: name, dtype: code)
        case .unknown: throw .unknownDType(tensor: name, dtype: code)
        }

        guard let dims = shapeValue.arrayValue else { throw .badShape(tensor: name, reason: "not a list") }
        // The rank first, as the list has it: a long list is one error naming its real length.
        guard dims.count <= Limits.maxRank else { throw .badShape(tensor: name, reason: Limits.rankExceeded(dims.count)) }
        var shape: [Int] = []
        shape.reserveCapacity(dims.count)
        for d in dims {
            guard let v = d.intValue else { throw .badShape(tensor: name, reason: "dimension \(d) is not an integer") }
            shape.append(Int(v))  // Int64 → Int is exact on the 64-bit platforms Ingot supports
        }
        let layout: TensorLayout
        switch ShapeRules.layout(name: name, dtype: dtype, shape: shape) {
        case let .success(l): layout = l
        case .failure(.overflow): throw .sizeOverflow(tensor: name)
        case let .failure(p): throw .badShape(tensor: name, reason: ShapeRules.reason(p))
        }

        let offsetsRule = "[begin, end] with non-negative integers"
        guard let pair = offsetsValue.arrayValue, pair.count == 2, let b = pair[0].intValue, let e = pair[1].intValue,
            b >= 0, e >= 0
        else { throw .badField(tensor: name, field: "data_offsets", expected: offsetsRule) }
        guard e >= b else { throw .reversedOffsets(tensor: name, begin: Int(b), end: Int(e)) }
        return Tensor(descriptor: TensorDescriptor(name: name, layout: layout), begin: Int(b), end: Int(e))
    }
}
