internal import CIngotKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only POSIX mapping of a whole file. Foundation's `.mappedIfSafe` copies the file on Linux, so Ingot maps
/// it itself: opening a multi-GB file costs nothing until pages are touched.
///
/// `@unchecked Sendable`: the mapping is created read-only (`PROT_READ`) in `init`, never written through and
/// unmapped only in `deinit`, so sharing it between threads is safe.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?
    private let heap: UnsafeMutableRawPointer?
    /// This mapping's entry in the SIGBUS guard (-1: not guarded).
    private let guardSlot: Int32

    public init(path: String) throws(IngotError) {
        self.path = path
        heap = nil
        // O_NONBLOCK: opening a FIFO (or a device) for reading would otherwise wait for a writer forever; the type
        // is checked right after, and a regular file ignores the flag.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .io("cannot open: \(errnoText())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io("cannot stat: \(errnoText())") }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .io("is a directory, not a file")
        case S_IFIFO: throw .io("is a FIFO, not a regular file")
        default: throw .io("not a regular file")
        }
        let size = Int(st.st_size)
        if size == 0 {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            guardSlot = -1
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else { throw .io("cannot map: \(errnoText())") }
        base = p
        bytes = UnsafeRawBufferPointer(start: p, count: size)
        // Another process may truncate the file while it is mapped; touching a vanished page raises SIGBUS. The guard
        // turns that into one line naming this file (and removes temp files) instead of a crash.
        ingot_guard_install()
        guardSlot = ingot_guard_mapping_add(p, size, path)
    }

    /// An in-memory copy standing in for a mapping (fuzzers and tests feed bytes without touching the disk).
    public init(copying source: UnsafeRawBufferPointer, path: String) {
        self.path = path
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(source.count, 1), alignment: 4096)
        if let s = source.baseAddress, source.count > 0 { p.copyMemory(from: s, byteCount: source.count) }
        heap = p
        base = nil
        guardSlot = -1
        bytes = UnsafeRawBufferPointer(start: p, count: source.count)
    }

    /// Drops this process's mapping of the pages covering `range` (they stay in the page cache and fault back in if
    /// touched again). Mapped file pages count toward RSS, so converters release each tensor once it is written —
    /// otherwise converting a model would hold all of it resident.
    public func evict(_ range: Range<Int>) {
        guard let base, !range.isEmpty, range.lowerBound >= 0, range.upperBound <= bytes.count else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = range.lowerBound / page * page
        _ = madvise(base + start, range.upperBound - start, MADV_DONTNEED)
    }

    /// Tells the kernel the whole file will be read front to back (bigger read-ahead).
    public func adviseSequential() {
        if let base { _ = madvise(base, bytes.count, MADV_SEQUENTIAL) }
    }

    /// Runs `body` with read-ahead off: opening reads the header and a few bytes between tensors (the padding
    /// rule), and on a cold file — a model on a network filesystem, or shards whose header was just inserted in
    /// front (which drops their cached pages) — read-ahead would turn each of those touches into a large read.
    public func withoutReadAhead<T>(_ body: () throws -> T) rethrows -> T {
        guard let base else { return try body() }
        _ = madvise(base, bytes.count, MADV_RANDOM)
        defer { _ = madvise(base, bytes.count, MADV_NORMAL) }
        return try body()
    }

    deinit {
        ingot_guard_mapping_remove(guardSlot)
        if let base { munmap(base, bytes.count) }
        heap?.deallocate()
    }
}

/// The names in directory `dir` (without "." and ".."), nil when it cannot be listed.
public func directoryEntries(_ dir: String) -> [String]? {
    guard let d = opendir(dir) else { return nil }
    defer { closedir(d) }
    var names: [String] = []
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        if name != ".", name != ".." { names.append(name) }
    }
    return names
}

/// A file name taken from a file (an index, a module list): one plain name in its directory, never a path.
public func isPlainFileName(_ s: String) -> Bool {
    !s.isEmpty && s != "." && s != ".." && !s.contains("/") && !s.contains("\0")
}

/// The last component of a path ("model.ingot" for "out/model.ingot").
public func baseName(_ path: String) -> String {
    path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
}

/// True when `path` names a directory (following links): model directories and directory outputs are told apart
/// from files by this one check.
public func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
}

func errnoText() -> String { String(cString: strerror(errno)) }
