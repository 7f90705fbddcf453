internal import CIngotKernels
#if canImport(Glibc)
import Glibc
#endif

/// Replaces an Ingot file's metadata (e.g. `ingot verify --stamp`) without decoding or re-encoding any tensor: a new
/// preamble and header go into a temp file beside the original, the data section is copied after them in the kernel
/// (`copy_file_range`: extents are shared where the filesystem can), and the temp file is fsync'd and renamed over the
/// original. Tensor offsets are relative to the data section, so they do not change; an interruption leaves the
/// original untouched.
public enum MetadataRewriter {
    public static func rewrite(path: String, _ update: (inout JSONObject) throws -> Void) throws {
        let old = try IngotFile(path: path)
        var header = old.header
        try update(&header.metadata)
        try withPath(path) { () throws -> Void in
            let json = try header.encoded()
            guard json.count <= Limits.maxHeaderBytes else { throw IngotError.headerTooLarge(json.count) }
            guard let dataOffset = Checked.alignUp(Preamble.size + json.count, Limits.pageSize) else {
                throw IngotError.headerTooLarge(json.count)
            }
            let pre = Preamble(headerLength: UInt64(json.count), headerChecksum: XXH3.hash(json), dataOffset: UInt64(dataOffset))
            let dataBytes = old.file.bytes.count - old.dataOffset
            let file = try AtomicFile(destination: path)
            try file.write(pre.bytes + json)
            try file.write([UInt8](repeating: 0, count: dataOffset - Preamble.size - json.count))
            let src = open(path, O_RDONLY | O_CLOEXEC)
            guard src >= 0 else { throw IngotError.io("cannot reopen: \(errnoText())") }
            defer { close(src) }
            let copied = ingot_copy_range(src, Int64(old.dataOffset), file.fd, Int64(dataOffset), Int64(dataBytes))
            guard copied == Int64(dataBytes) else { throw IngotError.io("copying the tensor data failed") }
            // Prove the new file before it replaces the old one: same layout, same stored bytes.
            let check = try IngotFile(mapped: MappedFile(path: file.readablePath))
            guard check.tensors == old.tensors else { throw IngotError.io("rewritten tensor table differs") }
            try file.commit()
        }
    }
}
