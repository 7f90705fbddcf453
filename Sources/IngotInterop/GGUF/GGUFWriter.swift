import IngotFormat

/// Writes GGUF version 3 files the way gguf-py's `GGUFWriter` lays them out: header (magic, version, counts), the
/// key-value pairs in the given order, the tensor infos, zero padding to the alignment, then each tensor's bytes
/// followed by zero padding to the alignment.
///
/// All sizes are known from the descriptors, so the header is written when the writer is made and tensors stream
/// behind it one at a time (`PlannedTensorWriter`: each must be the next planned one, byte count included — ggml's
/// rule that computed and written sizes cannot differ).
///
/// The alignment is the value of `general.alignment` when the pairs hold one (a u32 power of two), else 32.
/// Dtypes map back as `GGUFTensorType.storing` says: f32, f16, bf16, f64, i8–i64, q8_0/q4_0/q4_1 only with group
/// size 32, and ggml's fixed layouts (q5_0, q5_1, iq4_nl, q2_k … q6_k): their blocks are GGUF's byte for byte. Shapes are written reversed (GGUF lists
/// the innermost dimension first). The writer refuses anything the reader would refuse (caps, duplicates).
public final class GGUFWriter: TensorFileWriter {
    public static let version: UInt32 = 3
    private let out: PlannedTensorWriter

    public var path: String { out.path }

    /// Plans `keyValues` and `tensors`, in the given order, and writes the header.
    public init(path: String, keyValues: [GGUFKeyValue], tensors: [TensorDescriptor]) throws {
        let plan: Plan
        do { plan = try Plan(keyValues: keyValues, tensors: tensors) } catch { throw FileError(path: path, error) }
        out = try PlannedTensorWriter(path: path, header: plan.header + [UInt8](repeating: 0, count: plan.headerPadding),
                                      plan: tensors, alignment: plan.alignment)
    }

    /// Plans every tensor of `source` in its order (then `write(source)` copies them). The pairs are a GGUF source's
    /// own, else rebuilt from the source's metadata (`GGUFMetadata.keyValues(from:)`: exact for metadata that came
    /// from GGUF).
    public convenience init(path: String, source: any TensorSource) throws {
        let kvs: [GGUFKeyValue]
        if let g = source as? GGUFFile {
            kvs = g.keyValues
        } else {
            do { kvs = try GGUFMetadata.keyValues(from: source.metadata) } catch { throw FileError(path: path, error) }
        }
        try self.init(path: path, keyValues: kvs, tensors: source.descriptors)
    }

    public func append(_ d: TensorDescriptor, bytes: UnsafeRawBufferPointer) throws { try out.append(d, bytes: bytes) }
    public func finish() throws { try out.finish() }
    public func abort() { out.abort() }

    /// The encoded header and the layout it promises.
    struct Plan {
        var header: [UInt8] = []
        var alignment = GGUFHeader.defaultAlignment
        /// Zero bytes between the header and the data section.
        var headerPadding = 0
        /// Each tensor's offset relative to the data section.
        var offsets: [Int] = []

        init(keyValues: [GGUFKeyValue], tensors: [TensorDescriptor]) throws(GGUFError) {
            guard keyValues.count <= GGUFLimits.maxKeyValues else { throw .tooManyKeyValues(UInt64(keyValues.count)) }
            guard tensors.count <= GGUFLimits.maxTensors else { throw .tooManyTensors(UInt64(tensors.count)) }
            var e = GGUFEncoder()
            e.bytes(GGUFHeader.magic)
            e.int(GGUFWriter.version)
            e.int(UInt64(tensors.count))
            e.int(UInt64(keyValues.count))

            var keys = Set<ExactKey>(minimumCapacity: keyValues.count)
            for (i, kv) in keyValues.enumerated() {
                guard !kv.key.isEmpty else { throw .emptyKey(index: i) }
                guard keys.insert(ExactKey(kv.key)).inserted else { throw .duplicateKey(kv.key) }
                guard !sameScalars(kv.key, GGUFMetadata.typesKey) else { throw .reservedKey(kv.key) }
                if sameScalars(kv.key, GGUFHeader.alignmentKey) {
                    guard case let .uint32(a) = kv.value else {
                        throw .alignmentNotU32(type: GGUFMetadata.typeName(kv.value))
                    }
                    guard a != 0, a & (a - 1) == 0 else { throw .badAlignment(UInt64(a)) }
                    alignment = Int(a)
                }
                try e.string(kv.key, what: "key \(quoted(kv.key))")
                e.int(kv.value.type.rawValue)
                try e.value(kv.value, key: kv.key)
            }

            var names = Set<ExactKey>(minimumCapacity: tensors.count)
            var offset = 0
            offsets.reserveCapacity(tensors.count)
            for d in tensors {
                guard names.insert(ExactKey(d.name)).inserted else { throw .duplicateTensorName(d.name) }
                let l = d.layout
                guard let type = GGUFTensorType.storing(l.dtype, groupSize: l.groupSize) else {
                    if l.dtype.isBlockQuantized {
                        throw .groupSizeNot32(tensor: d.name, dtype: l.dtype, groupSize: l.groupSize ?? 0)
                    }
                    throw .cannotExport(tensor: d.name, dtype: l.dtype)
                }
                guard l.shape.count <= GGUFLimits.maxDimensions else {
                    throw .tooManyDimensions(tensor: d.name, count: UInt32(clamping: l.shape.count))
                }
                try e.string(d.name, what: "tensor name \(quoted(d.name))")
                e.int(UInt32(l.shape.count))
                for dim in l.shape.reversed() { e.int(UInt64(dim)) }  // layouts hold no negative dims
                e.int(type.rawValue)
                e.int(UInt64(offset))
                offsets.append(offset)
                guard let next = Checked.add(offset, l.byteCount), let padded = Checked.alignUp(next, alignment) else {
                    throw .sizeOverflow(tensor: d.name)
                }
                offset = padded
            }
            guard e.out.count <= GGUFLimits.maxHeaderBytes else { throw .headerTooLarge }
            header = e.out
            headerPadding = padding(header.count, alignment)
        }
    }

    static func padding(_ n: Int, _ alignment: Int) -> Int { (alignment - n % alignment) % alignment }
}

/// Little-endian GGUF encoding of header fields, with the reader's caps enforced as values are appended.
struct GGUFEncoder {
    var out: [UInt8] = []

    mutating func bytes(_ b: [UInt8]) { out += b }

    mutating func int<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }

    mutating func string(_ s: String, what: @autoclosure () -> String) throws(GGUFError) {
        let utf8 = Array(s.utf8)
        guard utf8.count <= GGUFLimits.maxStringBytes else { throw .stringTooLong(what: what(), length: UInt64(utf8.count)) }
        int(UInt64(utf8.count))
        out += utf8
        guard out.count <= GGUFLimits.maxHeaderBytes else { throw .headerTooLarge }
    }

    mutating func value(_ v: GGUFValue, key: String) throws(GGUFError) {
        switch v {
        case let .uint8(x): int(x)
        case let .int8(x): int(x)
        case let .uint16(x): int(x)
        case let .int16(x): int(x)
        case let .uint32(x): int(x)
        case let .int32(x): int(x)
        case let .float32(x): int(x.bitPattern)
        case let .bool(x): int(UInt8(x ? 1 : 0))
        case let .string(x): try string(x, what: "value of key \(quoted(key))")
        case let .array(a): try array(a, key: key, depth: 1)
        case let .uint64(x): int(x)
        case let .int64(x): int(x)
        case let .float64(x): int(x.bitPattern)
        }
    }

    mutating func array(_ a: GGUFArray, key: String, depth: Int) throws(GGUFError) {
        guard depth <= GGUFLimits.maxArrayDepth else { throw .arrayTooDeep(key: key) }
        guard a.count <= GGUFLimits.maxArrayCount else { throw .arrayTooLong(key: key, count: UInt64(a.count)) }
        int(a.elementType.rawValue)
        int(UInt64(a.count))
        switch a {
        case let .uint8(v): out += v
        case let .int8(v): for x in v { int(x) }
        case let .uint16(v): for x in v { int(x) }
        case let .int16(v): for x in v { int(x) }
        case let .uint32(v): for x in v { int(x) }
        case let .int32(v): for x in v { int(x) }
        case let .float32(v): for x in v { int(x.bitPattern) }
        case let .bool(v): for x in v { int(UInt8(x ? 1 : 0)) }
        case let .string(v): for (i, x) in v.enumerated() { try string(x, what: "element \(i) of key \(quoted(key))") }
        case let .array(v): for x in v { try array(x, key: key, depth: depth + 1) }
        case let .uint64(v): for x in v { int(x) }
        case let .int64(v): for x in v { int(x) }
        case let .float64(v): for x in v { int(x.bitPattern) }
        }
        guard out.count <= GGUFLimits.maxHeaderBytes else { throw .headerTooLarge }
    }
}
