import IngotFormat
#if canImport(Glibc)
import Glibc
#endif

/// Writes one little-endian f32 array as `.npy` (format 1.0), through `PendingFile` (so never over a device or a
/// directory, and never a partial file). Used for `ingot logits -o` and `ingot embed -o`.
public enum NpyWriter {
    /// An existing file at `path` is replaced only with `overwrite`.
    public static func writeFloat32(path: String, shape: [Int], values: [Float], overwrite: Bool = false) throws {
        // The pending file refuses a destination that is not a regular file (a device, a FIFO, a directory) whatever
        // `overwrite` says, so it is made before the existence check: that refusal is the more useful message.
        let pending = try PendingFile(path: path)
        if !overwrite, access(path, F_OK) == 0 {
            pending.abort()
            throw FileError(path: path, IngotError.io("already exists"))
        }
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        // Magic (6) + version (2) + length (2) + header + "\n", padded with spaces to a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        appendLE16(UInt16(header.utf8.count), &bytes)
        bytes += Array(header.utf8)
        try pending.commit { f in
            try f.write(bytes)
            try values.withUnsafeBytes { try f.write($0) }
        }
    }

    private static func appendLE16(_ v: UInt16, _ out: inout [UInt8]) {
        out.append(UInt8(v & 0xff))
        out.append(UInt8(v >> 8))
    }
}
