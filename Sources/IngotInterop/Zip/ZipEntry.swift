/// One member of a zip archive, as the central directory describes it (after ZIP64 fields are applied) and with
/// its data located through the local header.
public struct ZipEntry: Sendable, Equatable {
    public enum Method: Int, Sendable {
        case stored = 0
        case deflated = 8
    }

    public let name: String
    public let method: Method
    public let crc32: UInt32
    public let compressedSize: Int
    public let uncompressedSize: Int
    public let localHeaderOffset: Int
    /// Where the (possibly compressed) bytes start: after the local header, its name and its extra field.
    public let dataOffset: Int
}
