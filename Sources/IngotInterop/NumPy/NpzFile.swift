import IngotFormat

/// A NumPy `.npz` archive (`numpy.savez`, stored, or `numpy.savez_compressed`, deflated) as a tensor source:
/// member `x.npy` is tensor `x`, in central directory order.
///
/// Opening reads only each member's `.npy` header (inflating just those bytes of a deflated member); `load`
/// decodes the member and checks its CRC-32. Stored little-endian C-order members are zero-copy views.
public final class NpzFile: TensorSource, Sendable {
    struct Member: Sendable {
        let entry: ZipEntry
        let array: NpyArray
    }

    public let path: String
    public let archive: ZipArchive
    public let descriptors: [TensorDescriptor]
    private let members: [ExactKey: Member]

    public var formatName: String { "npz" }
    public var metadata: JSONObject { JSONObject() }

    public convenience init(path: String, limits: ZipLimits = ZipLimits()) throws {
        let f = try withPath(path) { try MappedFile(path: path) }
        try self.init(mapped: f, limits: limits)
    }

    public init(mapped f: MappedFile, limits: ZipLimits = ZipLimits()) throws {
        path = f.path
        archive = try ZipArchive(file: f, limits: limits)
        var descriptors: [TensorDescriptor] = []
        var members: [ExactKey: Member] = [:]
        for e in archive.entries {
            guard e.name.hasSuffix(".npy") else { throw FileError(path: f.path, NpzError.nonNpyMember(e.name)) }
            let name = String(e.name.dropLast(4))
            let array: NpyArray
            do { array = try Self.readHeader(archive, e) } catch { throw FileError(path: f.path, error) }
            // Zip entry names are unique, so tensor names are too.
            members[ExactKey(name)] = Member(entry: e, array: array)
            descriptors.append(TensorDescriptor(name: name, layout: array.layout))
        }
        self.descriptors = descriptors
        self.members = members
    }

    public func load(_ name: String) throws -> TensorBuffer {
        guard let m = members[ExactKey(name)] else { throw FileError(path: path, IngotError.noSuchTensor(name)) }
        do {
            let whole = try archive.checkedContents(m.entry)
            // The header was parsed from these same bytes' prefix, so the data range is inside them.
            guard let data = whole.bytes.bounded(m.array.dataOffset, m.array.byteCount) else {
                let have = max(0, whole.count - m.array.dataOffset)
                throw NpzError.badMember(member: m.entry.name, .truncatedData(expected: m.array.byteCount, actual: have))
            }
            do { return try m.array.decode(data, owner: whole.owner) } catch { throw NpzError.badMember(member: m.entry.name, error) }
        } catch { throw FileError(path: path, error) }
    }

    /// Reads a member's `.npy` header: the fixed preamble first (it gives the header length), then the header.
    /// Only those bytes are inflated, however large the member.
    private static func readHeader(_ archive: ZipArchive, _ e: ZipEntry) throws -> NpyArray {
        do {
            let pre = try archive.prefix(of: e, count: NpyArray.preambleBytes)
            let end = try pre.withBytes { b in try NpyArray.headerEnd(b) }
            let header = try archive.prefix(of: e, count: end)
            return try header.withBytes { b in try NpyArray(header: b, totalSize: e.uncompressedSize) }
        } catch let error as NpyError {
            throw NpzError.badMember(member: e.name, error)
        }
    }
}
