import IngotFormat

/// A parsed `.npy` header (versions 1.0, 2.0, 3.0) with its data proven to be exactly the size the shape and dtype
/// need. The header dict is parsed as data (`PythonLiteralParser`), never evaluated.
///
/// Layout: `\x93NUMPY`, major, minor, header length (u16 LE in 1.0, u32 LE in 2.0/3.0), the header dict, data.
public struct NpyArray: Sendable, Equatable {
    public static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
    /// Bytes needed to know the header length in every version (magic, version, u32 length).
    public static let preambleBytes = 12
    /// Cap on the header dict. numpy itself refuses headers over 10,000 bytes by default; only structured dtypes
    /// (which are refused anyway) come close.
    public static let maxHeaderBytes = 65_536

    public let majorVersion: Int
    public let minorVersion: Int
    public let descr: String
    public let dtype: DType
    /// Stored big-endian: `decode` byte-swaps into an owned buffer.
    public let bigEndian: Bool
    /// Stored in Fortran (column-major) order: `decode` transposes into C order.
    public let fortranOrder: Bool
    public let shape: [Int]
    /// dtype and shape with their sizes (a layout carries no name: any tensor name can use it).
    public let layout: TensorLayout
    /// Offset of the data from the start of the `.npy` bytes.
    public let dataOffset: Int
    /// Data bytes (elements × element size).
    public let byteCount: Int

    /// The offset where the data starts (magic + version + length field + header), read from the first
    /// `preambleBytes` bytes (or fewer for a 1.0 file that is shorter).
    public static func headerEnd(_ prefix: UnsafeRawBufferPointer) throws(NpyError) -> Int {
        for (i, m) in magic.enumerated() {
            guard i < prefix.count else { throw .truncatedPreamble(need: 10, have: prefix.count) }
            guard prefix[i] == m else { throw .badMagic }
        }
        guard let major = prefix.le(UInt8.self, at: 6), let minor = prefix.le(UInt8.self, at: 7) else {
            throw .truncatedPreamble(need: 10, have: prefix.count)
        }
        let lengthField: Int
        switch (major, minor) {
        case (1, 0): lengthField = 2
        case (2, 0), (3, 0): lengthField = 4
        default: throw .unsupportedVersion(major: Int(major), minor: Int(minor))
        }
        let length: Int
        if lengthField == 2 {
            guard let n = prefix.le(UInt16.self, at: 8) else { throw .truncatedPreamble(need: 10, have: prefix.count) }
            length = Int(n)
        } else {
            guard let n = prefix.le(UInt32.self, at: 8) else { throw .truncatedPreamble(need: 12, have: prefix.count) }
            length = Int(n)
        }
        guard length <= maxHeaderBytes else { throw .headerTooLarge(length) }
        return 8 + lengthField + length
    }

    /// Parses an array whose bytes are all of `bytes`.
    public init(_ bytes: UnsafeRawBufferPointer) throws(NpyError) {
        try self.init(header: bytes, totalSize: bytes.count)
    }

    /// Parses the header found at the start of `bytes` (which need hold no more than the header) and checks that
    /// an array of `totalSize` bytes holds exactly the data the header describes.
    public init(header bytes: UnsafeRawBufferPointer, totalSize: Int) throws(NpyError) {
        let end = try Self.headerEnd(bytes)
        guard end <= totalSize else { throw .headerBeyondFile(end: end, fileSize: totalSize) }
        // `headerEnd` succeeded, so the 10-byte preamble is present. The dict follows the 2-byte (1.0) or 4-byte
        // (2.0, 3.0) length field.
        let dictStart = bytes[6] == 1 ? 10 : 12
        guard let dictBytes = bytes.bounded(dictStart, end - dictStart) else {
            throw .headerBeyondFile(end: end, fileSize: bytes.count)
        }
        majorVersion = Int(bytes[6])
        minorVersion = Int(bytes[7])
        let literal: PythonLiteral
        do {
            literal = try PythonLiteralParser.parse(dictBytes, utf8Strings: majorVersion >= 3,
                                                    allowLongSuffix: majorVersion < 3)
        } catch { throw .malformedHeader(error.description) }
        guard case let .dict(pairs) = literal else { throw .malformedHeader("the header is not a dict") }
        for (k, _) in pairs where !["descr", "fortran_order", "shape"].contains(k) { throw .unexpectedKey(k) }
        func value(_ key: String) throws(NpyError) -> PythonLiteral {
            guard let v = pairs.first(where: { $0.0 == key })?.1 else { throw .missingKey(key) }
            return v
        }

        let descrValue = try value("descr")
        guard case let .string(descr) = descrValue else {
            if Self.mentionsObject(descrValue) { throw .objectArray(descr: descrValue.text) }
            throw .unsupportedDescr(descrValue.text)
        }
        let resolved = try NpyDescr(descr)
        guard case let .bool(fortran) = try value("fortran_order") else {
            throw .badValue(key: "fortran_order", expected: "True or False")
        }
        guard case let .tuple(dims) = try value("shape") else { throw .badValue(key: "shape", expected: "a tuple") }
        // The rank before the dimensions' values, so that a long shape is reported as long whatever it holds.
        guard dims.count <= Limits.maxRank else { throw .badShape(Limits.rankExceeded(dims.count)) }
        var shape: [Int] = []
        for d in dims {
            switch d {
            case let .int(v): shape.append(v)
            case .hugeInt: throw .sizeOverflow
            default: throw .badValue(key: "shape", expected: "a tuple of integers")
            }
        }
        let layout: TensorLayout
        switch ShapeRules.layout(name: "array", dtype: resolved.dtype, shape: shape) {
        case let .success(l): layout = l
        case .failure(.overflow): throw .sizeOverflow
        case let .failure(p): throw .badShape(ShapeRules.reason(p))
        }
        let actual = totalSize - end
        guard actual >= layout.byteCount else { throw .truncatedData(expected: layout.byteCount, actual: actual) }
        guard actual == layout.byteCount else { throw .trailingData(expected: layout.byteCount, actual: actual) }

        self.descr = descr
        dtype = resolved.dtype
        bigEndian = resolved.bigEndian
        fortranOrder = fortran
        self.shape = shape
        self.layout = layout
        dataOffset = end
        byteCount = layout.byteCount
    }

    /// A structured descr (a list of fields) that contains an object field anywhere.
    private static func mentionsObject(_ v: PythonLiteral) -> Bool {
        switch v {
        case let .string(s): s.utf8.count >= 2 && Array(s.utf8)[1] == UInt8(ascii: "O")
        case let .tuple(items), let .list(items): items.contains(where: mentionsObject)
        default: false
        }
    }

    /// The stored bytes are already little-endian C order: `decode` can hand out a view.
    public var isZeroCopy: Bool {
        // Fortran and C order coincide when at most one dimension is longer than 1.
        !bigEndian && (!fortranOrder || shape.filter { $0 > 1 }.count <= 1)
    }

    /// The array's elements as little-endian C order: `data` itself when already so (zero-copy, kept alive by
    /// `owner`), else a new buffer, byte-swapped and/or transposed. `data` must be exactly `byteCount` bytes.
    public func decode(_ data: UnsafeRawBufferPointer, owner: AnyObject) throws(NpyError) -> TensorBuffer {
        guard data.count >= byteCount else { throw .truncatedData(expected: byteCount, actual: data.count) }
        guard data.count == byteCount else { throw .trailingData(expected: byteCount, actual: data.count) }
        if isZeroCopy { return TensorBuffer(bytes: data, owner: owner) }
        do { try MemoryBudget.check(byteCount, for: "the reordered array") } catch { throw .wouldNotFit(error) }
        let out = OwnedBytes(count: byteCount)
        let transpose = fortranOrder && !(shape.filter { $0 > 1 }.count <= 1)
        switch dtype.scalarSize ?? 1 {
        case 2: NpyReorder.run(UInt16.self, data, out.mutable, shape: shape, transpose: transpose, swap: bigEndian)
        case 4: NpyReorder.run(UInt32.self, data, out.mutable, shape: shape, transpose: transpose, swap: bigEndian)
        case 8: NpyReorder.run(UInt64.self, data, out.mutable, shape: shape, transpose: transpose, swap: bigEndian)
        default: NpyReorder.run(UInt8.self, data, out.mutable, shape: shape, transpose: transpose, swap: false)
        }
        return TensorBuffer(out)
    }
}
