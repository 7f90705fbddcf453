internal import CIngotKernels
#if canImport(Glibc)
import Glibc
#endif

/// Writes an Ingot file one tensor at a time: memory stays bounded by one tensor, whatever the model size.
///
/// The data section is streamed into a temp file first (the header's offsets and checksums are only known at the
/// end); `finish` then puts the header in front — by inserting pages at the file start where the filesystem can
/// (no data copied), else by an in-kernel copy — and renames the file into place. The same tensors, metadata and
/// options always produce the same bytes. Any layout may be appended (the header is written last); an error from any
/// call abandons the file.
public final class IngotWriter: TensorFileWriter {
    public struct Options: Sendable {
        public var alignment: Int
        /// nil: every tensor raw.
        public var compression: CompressionOptions?
        public var threads: Int

        public init(alignment: Int = Limits.defaultAlignment, compression: CompressionOptions? = nil,
                    threads: Int = Parallel.cpuCount) {
            self.alignment = alignment
            self.compression = compression
            self.threads = threads
        }
    }

    public let options: Options
    /// Written with the header at `finish`, so it may still change after the last tensor (provenance).
    public var metadata: JSONObject
    public private(set) var entries: [TensorEntry] = []
    private let file: PendingFile
    private var dataEnd = 0
    private var names = Set<ExactKey>()

    public init(path: String, options: Options = Options(), metadata: JSONObject = JSONObject()) throws {
        let a = options.alignment
        guard a >= Limits.minAlignment, a <= Limits.maxAlignment, a & (a - 1) == 0 else {
            throw FileError(path: path, IngotError.badAlignment(a))
        }
        do { try options.compression?.checkChunkBytes() } catch { throw FileError(path: path, error) }
        self.options = options
        self.metadata = metadata
        file = try PendingFile(path: path)
    }

    public var path: String { file.path }

    /// Appends a tensor; `bytes` are its decoded bytes (little-endian, C order).
    public func append(_ d: TensorDescriptor, bytes: UnsafeRawBufferPointer) throws {
        try file.step { f in try append(name: d.name, layout: d.layout, bytes: bytes, to: f) }
    }

    private func append(name: String, layout: TensorLayout, bytes: UnsafeRawBufferPointer, to file: AtomicFile) throws(IngotError) {
        guard TensorEntry.isValidName(name) else { throw .badName(name) }
        guard names.insert(ExactKey(name)).inserted else { throw .duplicateName(name) }
        guard bytes.count == layout.byteCount else {
            throw .lengthMismatch(tensor: name, stored: bytes.count, expected: layout.byteCount)
        }
        let checksum = XXH3.hash(bytes)
        var encoding = Encoding.raw
        var stored: [UInt8]? = nil
        if let c = options.compression {
            do {
                if let r = try TensorCompression.compress(bytes, layout: layout, options: c, threads: options.threads) {
                    (encoding, stored) = (r.encoding, r.stored)
                }
            } catch let e as IngotError {
                throw e
            } catch { throw .io("\(error)") }
        }
        guard let offset = Checked.alignUp(dataEnd, options.alignment) else { throw .sizeOverflow(tensor: name) }
        if offset > dataEnd { try file.write([UInt8](repeating: 0, count: offset - dataEnd)) }
        if let stored { try file.write(stored) } else { try file.write(bytes) }
        let length = stored?.count ?? bytes.count
        entries.append(TensorEntry(name: name, layout: layout, offset: offset, length: length, encoding: encoding,
                                   checksum: checksum))
        dataEnd = offset + length
    }

    /// Writes the header in front of the data, syncs and renames into place.
    public func finish() throws {
        try file.commit { f in try writeHeader(to: f) }
    }

    private func writeHeader(to file: AtomicFile) throws(IngotError) {
        let header = IngotHeader(alignment: options.alignment, metadata: metadata, tensors: entries)
        let json = try header.encoded()
        guard json.count <= Limits.maxHeaderBytes else { throw .headerTooLarge(json.count) }
        let headerEnd = Preamble.size + json.count
        guard let dataOffset = Checked.alignUp(headerEnd, Limits.pageSize) else { throw .headerTooLarge(json.count) }
        let pre = Preamble(headerLength: UInt64(json.count), headerChecksum: XXH3.hash(json), dataOffset: UInt64(dataOffset))
        let front = pre.bytes + json
        if dataEnd == 0 {
            try file.pwrite(front, at: 0)
            guard ftruncate(file.fd, off_t(dataOffset)) == 0 else { throw .io("truncate failed: \(errnoText())") }
        } else if ingot_insert_range(file.fd, Int64(dataOffset)) == 0 {
            try file.pwrite(front, at: 0)
        } else {
            try rebuildWithHeader(front, dataOffset: dataOffset, in: file)
        }
    }

    /// Fallback where pages cannot be inserted (tmpfs, some network filesystems): copy the data behind the header in
    /// a second temp file, which then replaces the first.
    private func rebuildWithHeader(_ front: [UInt8], dataOffset: Int, in file: AtomicFile) throws(IngotError) {
        let second = try AtomicFile(destination: path)
        try second.write(front)
        try second.write([UInt8](repeating: 0, count: dataOffset - front.count))
        let copied = ingot_copy_range(file.fd, 0, second.fd, Int64(dataOffset), Int64(dataEnd))
        guard copied == Int64(dataEnd) else { throw .io("copy failed: \(String(cString: strerror(Int32(-copied))))") }
        file.adopt(from: second)
    }

    /// Abandons the file: the temp file is deleted and the destination untouched.
    public func abort() { file.abort() }
}
