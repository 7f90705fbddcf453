import IngotFormat

/// Parses a zip's end records and central directory, and checks each entry's local header against it.
/// Every count, size and offset is bounded before use; see `ZipError` for the rules.
enum ZipDirectoryParser {
    static let endSignature: UInt32 = 0x0605_4b50
    static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    static let zip64EndSignature: UInt32 = 0x0606_4b50
    static let centralSignature: UInt32 = 0x0201_4b50
    static let localSignature: UInt32 = 0x0403_4b50
    static let endRecordBytes = 22
    static let zip64LocatorBytes = 20
    static let zip64EndBytes = 56
    static let centralRecordBytes = 46
    static let localHeaderBytes = 30

    /// Where the central directory is and how many records it holds.
    struct Directory {
        var offset: Int
        var size: Int
        var count: Int
        /// The directory must end by here: the first end record.
        var limit: Int
    }

    static func parse(_ b: UnsafeRawBufferPointer, limits: ZipLimits) throws(ZipError) -> [ZipEntry] {
        let dir = try directory(b)
        guard dir.count <= limits.maxEntries else { throw .tooManyEntries(count: dir.count, cap: limits.maxEntries) }
        guard let dirEnd = Checked.add(dir.offset, dir.size), dirEnd <= dir.limit else {
            throw .centralDirectoryBeyondFile(end: Checked.add(dir.offset, dir.size) ?? Int.max, limit: dir.limit)
        }
        guard let cd = b.bounded(dir.offset, dir.size) else {
            throw .centralDirectoryBeyondFile(end: dirEnd, limit: b.count)
        }
        // Every record takes at least 46 bytes: a count the directory cannot hold is refused before any allocation.
        guard dir.count <= cd.count / centralRecordBytes else {
            throw .badCentralDirectory("\(dir.count) records cannot fit in \(cd.count) bytes")
        }
        var entries: [ZipEntry] = []
        entries.reserveCapacity(dir.count)
        var names = Set<ExactKey>()
        var pos = 0
        for _ in 0..<dir.count {
            let (entry, next) = try record(cd, at: pos, file: b, directoryStart: dir.offset, limits: limits)
            guard names.insert(ExactKey(entry.name)).inserted else { throw .duplicateEntry(entry.name) }
            entries.append(entry)
            pos = next
        }
        guard pos == cd.count else { throw .badCentralDirectory("\(cd.count - pos) bytes after the last record") }
        try checkNoOverlap(entries)
        return entries
    }

    /// Finds the end of central directory record (the one whose comment ends exactly at the end of the file) and,
    /// when present, the ZIP64 locator and record that supersede it.
    static func directory(_ b: UnsafeRawBufferPointer) throws(ZipError) -> Directory {
        var sawTruncated = false
        var end: Int? = nil
        var pos = b.count - 4
        let lowest = max(0, b.count - endRecordBytes - 0xFFFF)
        while pos >= lowest {
            if b.le(UInt32.self, at: pos) == endSignature {
                if let commentLength = b.le(UInt16.self, at: pos + 20) {
                    let recordEnd = pos + endRecordBytes + Int(commentLength)
                    if recordEnd == b.count { end = pos; break }
                    if recordEnd > b.count { sawTruncated = true }
                } else {
                    sawTruncated = true
                }
            }
            pos -= 1
        }
        guard let e = end else { throw sawTruncated ? .truncatedEndRecord : .noEndRecord }
        // Fields read below are inside the record found above (22 bytes at `e`).
        let disk = b.le(UInt16.self, at: e + 4) ?? 0
        let directoryDisk = b.le(UInt16.self, at: e + 6) ?? 0
        let countOnDisk = Int(b.le(UInt16.self, at: e + 8) ?? 0)
        let dir = Directory(offset: Int(b.le(UInt32.self, at: e + 16) ?? 0), size: Int(b.le(UInt32.self, at: e + 12) ?? 0),
                            count: Int(b.le(UInt16.self, at: e + 10) ?? 0), limit: e)
        let locator = e - zip64LocatorBytes
        if locator >= 0, b.le(UInt32.self, at: locator) == zip64LocatorSignature {
            return try zip64Directory(b, locator: locator)
        }
        guard disk == 0, directoryDisk == 0, countOnDisk == dir.count else { throw .multiDisk }
        return dir
    }

    private static func zip64Directory(_ b: UnsafeRawBufferPointer, locator: Int) throws(ZipError) -> Directory {
        guard let recordDisk = b.le(UInt32.self, at: locator + 4), let offset64 = b.le(UInt64.self, at: locator + 8),
            let disks = b.le(UInt32.self, at: locator + 16)
        else { throw .badZip64EndRecord("truncated locator") }
        guard recordDisk == 0, disks <= 1 else { throw .multiDisk }
        guard let r = Checked.int(offset64), r <= locator - zip64EndBytes else {
            throw .badZip64EndRecord("record offset \(offset64) is not before its locator at \(locator)")
        }
        guard b.le(UInt32.self, at: r) == zip64EndSignature else { throw .badZip64EndRecord("no record signature at \(r)") }
        guard let disk = b.le(UInt32.self, at: r + 16), let directoryDisk = b.le(UInt32.self, at: r + 20),
            let countOnDisk = b.le(UInt64.self, at: r + 24), let count = b.le(UInt64.self, at: r + 32),
            let size = b.le(UInt64.self, at: r + 40), let offset = b.le(UInt64.self, at: r + 48)
        else { throw .badZip64EndRecord("truncated record") }
        guard disk == 0, directoryDisk == 0, countOnDisk == count else { throw .multiDisk }
        return Directory(offset: Checked.int(offset) ?? Int.max, size: Checked.int(size) ?? Int.max,
                         count: Checked.int(count) ?? Int.max, limit: r)
    }

    /// One central directory record at `pos` of `cd`; returns the entry and the offset of the next record.
    private static func record(_ cd: UnsafeRawBufferPointer, at pos: Int, file b: UnsafeRawBufferPointer,
                               directoryStart: Int, limits: ZipLimits) throws(ZipError) -> (ZipEntry, Int) {
        guard let fixed = cd.bounded(pos, centralRecordBytes) else {
            throw .badCentralDirectory("record at \(pos) runs past the directory")
        }
        guard fixed.le(UInt32.self, at: 0) == centralSignature else {
            throw .badCentralDirectory("no record signature at directory byte \(pos)")
        }
        func u16(_ o: Int) -> Int { Int(fixed.le(UInt16.self, at: o) ?? 0) }  // in bounds: `fixed` is 46 bytes
        func u32(_ o: Int) -> UInt32 { fixed.le(UInt32.self, at: o) ?? 0 }
        let flags = u16(8), methodCode = u16(10), nameLength = u16(28), extraLength = u16(30), commentLength = u16(32)
        guard nameLength <= limits.maxNameBytes else { throw .nameTooLong(length: nameLength, cap: limits.maxNameBytes) }
        let recordLength = centralRecordBytes + nameLength + extraLength + commentLength
        guard let whole = cd.bounded(pos, recordLength), let nameBytes = whole.bounded(centralRecordBytes, nameLength),
            let extra = whole.bounded(centralRecordBytes + nameLength, extraLength)
        else { throw .badCentralDirectory("record at \(pos) runs past the directory") }
        guard let name = String(validating: nameBytes, as: UTF8.self), !name.isEmpty else {
            throw .badName(String(decoding: nameBytes, as: UTF8.self))
        }

        var uncompressed = UInt64(u32(24)), compressed = UInt64(u32(20)), localOffset = UInt64(u32(42))
        var diskStart = UInt32(u16(34))
        try applyZip64(extra, entry: name, uncompressed: &uncompressed, compressed: &compressed,
                       localOffset: &localOffset, diskStart: &diskStart)
        guard diskStart == 0 else { throw .multiDisk }
        // Bit 0: traditional encryption; bit 6: strong encryption.
        guard flags & 0x41 == 0 else { throw .encrypted(entry: name) }
        guard let method = ZipEntry.Method(rawValue: methodCode) else { throw .unsupportedMethod(entry: name, method: methodCode) }
        guard uncompressed <= UInt64(limits.maxEntryBytes) else {
            throw .entryTooLarge(entry: name, size: uncompressed, cap: limits.maxEntryBytes)
        }
        let usize = Int(uncompressed)
        guard let csize = Checked.int(compressed), let local = Checked.int(localOffset) else {
            throw .entryBeyondDirectory(entry: name, end: Int.max, directoryStart: directoryStart)
        }
        if method == .stored, csize != usize { throw .storedSizeMismatch(entry: name, compressed: csize, uncompressed: usize) }
        let dataOffset = try localHeader(b, at: local, name: name, nameBytes: nameBytes, method: methodCode,
                                         directoryStart: directoryStart)
        guard let dataEnd = Checked.add(dataOffset, csize), dataEnd <= directoryStart else {
            throw .entryBeyondDirectory(entry: name, end: Checked.add(dataOffset, csize) ?? Int.max,
                                        directoryStart: directoryStart)
        }
        let entry = ZipEntry(name: name, method: method, crc32: u32(16), compressedSize: csize, uncompressedSize: usize,
                             localHeaderOffset: local, dataOffset: dataOffset)
        return (entry, pos + recordLength)
    }

    /// Replaces 0xFFFFFFFF (0xFFFF for the disk) fields with their values from the ZIP64 extra field (id 1),
    /// which holds, in this order, exactly the fields that overflowed.
    private static func applyZip64(_ extra: UnsafeRawBufferPointer, entry: String, uncompressed: inout UInt64,
                                   compressed: inout UInt64, localOffset: inout UInt64, diskStart: inout UInt32) throws(ZipError) {
        let needs = (uncompressed == 0xFFFF_FFFF, compressed == 0xFFFF_FFFF, localOffset == 0xFFFF_FFFF, diskStart == 0xFFFF)
        var resolved = !(needs.0 || needs.1 || needs.2 || needs.3)
        var pos = 0
        while pos < extra.count {
            guard let id = extra.le(UInt16.self, at: pos), let size = extra.le(UInt16.self, at: pos + 2),
                let field = extra.bounded(pos + 4, Int(size))
            else { throw .badCentralDirectory("entry \(quoted(entry)): extra field runs past its record") }
            pos += 4 + Int(size)
            guard id == 1, !resolved else { continue }
            var o = 0
            func next64() throws(ZipError) -> UInt64 {
                guard let v = field.le(UInt64.self, at: o) else {
                    throw .badCentralDirectory("entry \(quoted(entry)): ZIP64 extra field too short")
                }
                o += 8
                return v
            }
            if needs.0 { uncompressed = try next64() }
            if needs.1 { compressed = try next64() }
            if needs.2 { localOffset = try next64() }
            if needs.3 {
                guard let v = field.le(UInt32.self, at: o) else {
                    throw .badCentralDirectory("entry \(quoted(entry)): ZIP64 extra field too short")
                }
                diskStart = v
            }
            resolved = true
        }
        guard resolved else { throw .badCentralDirectory("entry \(quoted(entry)): 0xFFFFFFFF field without a ZIP64 extra field") }
    }

    /// Checks the local header at `offset` against the central record and returns where the entry's data starts.
    private static func localHeader(_ b: UnsafeRawBufferPointer, at offset: Int, name: String, nameBytes: UnsafeRawBufferPointer,
                                    method: Int, directoryStart: Int) throws(ZipError) -> Int {
        guard offset <= directoryStart, let h = b.bounded(offset, localHeaderBytes), offset + localHeaderBytes <= directoryStart
        else { throw .badLocalHeader(entry: name, reason: "offset \(offset) leaves no room for a header before the directory") }
        guard h.le(UInt32.self, at: 0) == localSignature else { throw .badLocalHeader(entry: name, reason: "no signature at \(offset)") }
        let localMethod = Int(h.le(UInt16.self, at: 8) ?? 0)
        guard localMethod == method else {
            throw .badLocalHeader(entry: name, reason: "method \(localMethod) differs from the directory's \(method)")
        }
        let nameLength = Int(h.le(UInt16.self, at: 26) ?? 0), extraLength = Int(h.le(UInt16.self, at: 28) ?? 0)
        guard let localName = b.bounded(offset + localHeaderBytes, nameLength) else {
            throw .badLocalHeader(entry: name, reason: "name runs past the end of the file")
        }
        guard localName.elementsEqual(nameBytes) else {
            throw .badLocalHeader(entry: name, reason: "name differs from the central directory")
        }
        return offset + localHeaderBytes + nameLength + extraLength
    }

    /// Entries sorted by position must not share bytes: overlapping entries let a small file expand many times.
    private static func checkNoOverlap(_ entries: [ZipEntry]) throws(ZipError) {
        let sorted = entries.sorted { $0.localHeaderOffset < $1.localHeaderOffset }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.dataOffset + a.compressedSize > b.localHeaderOffset {
            throw .overlappingEntries(a.name, b.name)
        }
    }
}
