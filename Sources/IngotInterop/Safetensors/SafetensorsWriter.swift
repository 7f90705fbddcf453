import IngotFormat

/// Writes safetensors files the way the official writer lays them out: 8-byte header length, compact JSON header
/// (`__metadata__` first) padded with spaces to a multiple of 8, then the tensors back to back.
///
/// All sizes are known from the descriptors, so the header goes first and tensors stream behind it one at a time:
/// memory stays bounded by one tensor. The file is written through `AtomicFile`, so a failure (including one
/// thrown by `load`) leaves nothing at the destination.
public enum SafetensorsWriter {
    /// Writes `tensors` in the given order; `load` returns each one's bytes (little-endian, C order).
    /// Non-string metadata values are stored as their JSON text so nothing is lost.
    public static func write(path: String, metadata: JSONObject, tensors: [TensorDescriptor],
                             _ load: (TensorDescriptor) throws -> TensorBuffer) throws {
        let headerBytes: [UInt8]
        do { headerBytes = try header(metadata: metadata, tensors: tensors) } catch { throw FileError(path: path, error) }
        let file = try withPath(path) { try AtomicFile(destination: path) }
        do {
            try writeLE(UInt64(headerBytes.count), to: file)
            try file.write(headerBytes)
            for d in tensors {
                let buffer = try load(d)
                guard buffer.count == d.layout.byteCount else {
                    throw SafetensorsError.bufferSizeMismatch(tensor: d.name, count: buffer.count, expected: d.layout.byteCount)
                }
                try buffer.withBytes { try file.write($0) }
            }
            try file.commit()
        } catch {
            file.abort()
            if let e = error as? FileError { throw e }
            throw FileError(path: path, error)
        }
    }

    /// Exports every tensor of `source`, with its metadata, in the source's order.
    public static func write(path: String, source: any TensorSource) throws {
        try write(path: path, metadata: source.metadata, tensors: source.descriptors) { try source.load($0.name) }
    }

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

    private static func writeLE(_ v: UInt64, to file: AtomicFile) throws(IngotError) {
        try withUnsafeBytes(of: v.littleEndian) { b in Result { () throws(IngotError) in try file.write(b) } }.get()
    }
}
