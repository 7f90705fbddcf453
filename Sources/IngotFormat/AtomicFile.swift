internal import CIngotKernels
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written beside its destination and moved into place only by `commit`, after an fsync: a failed or
/// interrupted write never leaves a partial file at the destination, and a file already there stays untouched until
/// the new one is complete.
///
/// On Linux the file is created unnamed (`O_TMPFILE`): until `commit` links it into the directory it has no name, so
/// even `kill -9` leaves nothing behind. Where the filesystem cannot do that, it is a `.NAME.tmp-XXXXXX` file that
/// `abort`, `deinit` and the CLI's signal handler delete. Destinations that are not regular files (devices, FIFOs,
/// directories) are refused: a write must never replace `/dev/null` with a file.
public final class AtomicFile {
    public let destination: String
    public private(set) var fd: Int32
    /// The temp file's name while it has one (nil while unnamed).
    public private(set) var currentPath: String?
    private var done = false
    /// Bytes written since writeback was last started (see `write`).
    private var unflushed = 0
    /// Every this many bytes written, the kernel is asked to start writing them out: the disk works while the
    /// producer computes the next tensors, instead of all at once in the fsync of `commit` (a 150 MB quantized file:
    /// that fsync took 33 ms of a 0.33 s conversion).
    static let writebackBytes = 8 << 20
    private let dir: String
    private let base: String

    public init(destination: String) throws(IngotError) {
        self.destination = destination
        let slash = destination.lastIndex(of: "/")
        dir = slash.map { String(destination[...$0]) } ?? ""
        base = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        var st = stat()
        if stat(destination, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            throw .io("\(destination) exists and is not a regular file: refusing to replace it")
        }
        let mask = umask(0)
        umask(mask)
        let unnamed = ingot_open_tmpfile(dir.isEmpty ? "." : dir, Int32(0o666 & ~mask))
        if unnamed >= 0 {
            fd = unnamed
            currentPath = nil
            return
        }
        let (f, name) = try Self.makeNamed(dir: dir, base: base)
        fd = f
        currentPath = name
        // mkstemp creates 0600; give the file the usual permissions a new file would get.
        fchmod(fd, 0o666 & ~mask)
        TempFileRegistry.shared.add(name)
    }

    /// A path that opens the file's current content (its temp name, or its descriptor while unnamed).
    public var readablePath: String { currentPath ?? "/proc/self/fd/\(fd)" }

    private static func makeNamed(dir: String, base: String) throws(IngotError) -> (Int32, String) {
        var template = Array("\(dir).\(base).tmp-XXXXXX".utf8CString)
        let f = template.withUnsafeMutableBufferPointer { b in b.baseAddress.map { mkstemp($0) } ?? -1 }
        guard f >= 0 else { throw .io("cannot create a temporary file beside \(dir)\(base): \(errnoText())") }
        return (f, String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Writes all of `bytes` at the current position.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(IngotError) {
        var p = bytes.baseAddress
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                // EFAULT: the bytes came from a mapped input whose pages vanished (the file was truncated by another
                // process); the kernel reports it here instead of raising SIGBUS. Name that input.
                if errno == EFAULT, let source = Self.mappedPath(containing: p) {
                    throw .io("the input \(displayPath(source)) changed while being read (truncated or replaced by another process)")
                }
                throw .io("write failed: \(errnoText())")
            }
            p = p.map { $0 + n }
            left -= n
        }
        unflushed += bytes.count
        if unflushed >= Self.writebackBytes {
            ingot_start_writeback(fd)
            unflushed = 0
        }
    }

    /// The file whose registered mapping holds `address` (see MappedFile), if any.
    static func mappedPath(containing address: UnsafeRawPointer?) -> String? {
        guard let address else { return nil }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = ingot_guard_mapping_path(address, &buffer, buffer.count)
        guard n > 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func write(_ bytes: [UInt8]) throws(IngotError) {
        let r: Result<Void, IngotError> = bytes.withUnsafeBytes { b in Result { () throws(IngotError) in try write(b) } }
        try r.get()
    }

    /// Writes at an absolute offset (used for the header once the data is in place).
    public func pwrite(_ bytes: [UInt8], at offset: Int) throws(IngotError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { b in Glibc.pwrite(fd, b.baseAddress.map { $0 + done }, b.count - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("write failed: \(errnoText())")
            }
            done += n
        }
    }

    /// Takes over `other`'s file (content rebuilt there) in place of this one's.
    func adopt(from other: AtomicFile) {
        discardOwnFile()
        fd = other.fd
        currentPath = other.currentPath
        other.done = true  // `other` no longer owns the file
    }

    private func discardOwnFile() {
        if fd >= 0 { close(fd) }
        if let p = currentPath {
            unlink(p)
            TempFileRegistry.shared.remove(p)
        }
    }

    /// fsync, move over the destination, fsync the directory.
    public func commit() throws(IngotError) {
        guard !done else { return }
        guard fsync(fd) == 0 else { throw .io("fsync failed: \(errnoText())") }
        if currentPath == nil { try linkUnnamed() }
        guard let name = currentPath else { throw .io("the temporary file has no name") }
        close(fd)
        fd = -1
        guard rename(name, destination) == 0 else {
            let why = errnoText()
            unlink(name)
            TempFileRegistry.shared.remove(name)
            done = true
            throw .io("cannot rename into place: \(why)")
        }
        TempFileRegistry.shared.remove(name)
        done = true
        let d = dir.isEmpty ? "." : String(dir.dropLast())
        let dfd = open(d.isEmpty ? "/" : d, O_RDONLY | O_DIRECTORY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Gives the unnamed file a temp name beside the destination (linkat cannot replace a file, rename can).
    private func linkUnnamed() throws(IngotError) {
        for _ in 0..<16 {
            let name = "\(dir).\(base).tmp-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
            TempFileRegistry.shared.add(name)
            if linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0 {
                currentPath = name
                return
            }
            TempFileRegistry.shared.remove(name)
            if errno != EEXIST { throw .io("cannot link the new file beside \(destination): \(errnoText())") }
        }
        throw .io("cannot find a free temporary name beside \(destination)")
    }

    /// Deletes the temp file (an unnamed one simply vanishes); the destination is untouched.
    public func abort() {
        guard !done else { return }
        done = true
        discardOwnFile()
    }

    deinit { abort() }
}

/// Temp files in flight, so that fatal signals (the CLI's SIGINT/SIGTERM handler, the SIGBUS guard of mapped
/// files) delete them before the process exits. The paths live in the C guard's table, which a signal handler can
/// read safely; this keeps each path's slot.
public final class TempFileRegistry: Sendable {
    public static let shared = TempFileRegistry()
    private let slots = Mutex<[String: Int32]>([:])

    private init() {}

    func add(_ p: String) {
        let slot = ingot_guard_temp_add(p)
        slots.withLock { $0[p] = slot }
    }

    func remove(_ p: String) {
        if let slot = slots.withLock({ $0.removeValue(forKey: p) }) { ingot_guard_temp_remove(slot) }
    }

    /// Unlinks every registered temp file (called from a signal handler's exit path).
    public func removeAll() {
        ingot_guard_unlink_temps()
    }
}
