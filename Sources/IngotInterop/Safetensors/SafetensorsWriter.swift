import IngotFormat

/// Writes safetensors files the way the official writer lays them out: 8-byte header length, compact JSON header
/// (`__metadata__` first) padded with spaces to a multiple of 8, then the tensors back to back.
///
/// All sizes are known from the descriptors, so the header is written when the writer is made and tensors stream
/// behind it one at a time (`PlannedTensorWriter`: each must be the next planned one, byte count included).
/// Non-string metadata values are stored as their JSON text so nothing is lost.
public final class SafetensorsWriter: TensorFileWriter {
    private let out: PlannedTensorWriter

    public var path: String { out.path }

    public init(path: String, metadata: JSONObject, tensors: [TensorDescriptor]) throws {
        let json: [UInt8]
        do { json = try Self.header(metadata: metadata, tensors: tensors) } catch { throw FileError(path: path, error) }
        let length = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) }
        out = try PlannedTensorWriter(path: path, header: length + json, plan: tensors)
    }

    /// Plans every tensor of `source`, with its metadata, in the source's order (then `write(source)` copies them).
    public convenience init(path: String, source: any TensorSource) throws {
        try self.init(path: path, metadata: source.metadata, tensors: source.descriptors)
    }

    /// A source's metadata without Ingot's own `ingot.*` keys (config, tokenizer, provenance), which have no place in
    /// a safetensors file: what an export keeps.
    public static func foreignMetadata(_ meta: JSONObject) -> JSONObject {
        var foreign = meta
        for k in foreign.keys where k.hasPrefix("ingot.") { foreign[k] = nil }
        return foreign
    }

    public func append(_ d: TensorDescriptor, bytes: UnsafeRawBufferPointer) throws { try out.append(d, bytes: bytes) }
    public func finish() throws { try out.finish() }
    public func abort() { out.abort() }

    /// The padded header JSON (without the 8-byte length).
    static func header(metadata: JSONObject, tensors: [TensorDescriptor]) throws(SafetensorsError) -> [UInt8] {
        var root = JSONObject()
        if !metadata.isEmpty {
            var strings = JSONObject()
            for (k, v) in metadata {
                if let s = v.stringValue {
                    strings[k] = .string(s)
                } else {
                    do { strings[k] = .string(try JSONWriter.encode(v)) } catch { throw .unencodableMetadata(key: k) }
                }
            }
            root["__metadata__"] = .object(strings)
        }
        var offset = 0
        for d in tensors {
            guard d.name != "__metadata__" else { throw .reservedTensorName }
            guard root[d.name] == nil else { throw .duplicateTensorName(d.name) }
            guard let code = SafetensorsDType.code(for: d.layout.dtype) else {
                throw .cannotExport(tensor: d.name, dtype: d.layout.dtype)
            }
            guard let end = Checked.add(offset, d.layout.byteCount) else { throw .sizeOverflow(tensor: d.name) }
            root[d.name] = .object(JSONObject([
                ("dtype", .string(code)),
                ("shape", .array(d.layout.shape.map { .int(Int64($0)) })),
                ("data_offsets", .array([.int(Int64(offset)), .int(Int64(end))])),
            ]))
            offset = end
        }
        // Only metadata can hold a non-finite number, and it was encoded above.
        guard let text = try? JSONWriter.encode(.object(root)) else { throw .unencodableMetadata(key: "__metadata__") }
        var bytes = Array(text.utf8)
        // The official writer pads with spaces so the data buffer starts 8-byte aligned.
        bytes += [UInt8](repeating: 0x20, count: (8 - bytes.count % 8) % 8)
        guard bytes.count <= SafetensorsHeader.maxHeaderBytes else { throw .headerTooLarge(UInt64(bytes.count)) }
        return bytes
    }
}
