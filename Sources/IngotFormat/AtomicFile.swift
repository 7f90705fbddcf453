#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written under a temporary name in the destination's directory and renamed into place only by `commit`,
/// after an fsync: a failed or interrupted write never leaves a partial file at the destination, and a file already
/// there stays untouched until the new one is complete. Dropping an uncommitted `AtomicFile` deletes the temp file.
public final class AtomicFile {
    public let destination: String
    public let tempPath: String
    public private(set) var fd: Int32
    private var done = false

    public init(destination: String) throws(IngotError) {
        self.destination = destination
        let slash = destination.lastIndex(of: "/")
        let dir = slash.map { String(destination[...$0]) } ?? ""
        let base = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        var template = Array("\(dir).\(base).tmp-XXXXXX".utf8CString)
        let f = template.withUnsafeMutableBufferPointer { b in b.baseAddress.map { mkstemp($0) } ?? -1 }
        guard f >= 0 else { throw .io("cannot create a temporary file beside \(destination): \(errnoText())") }
        fd = f
        tempPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        TempFileRegistry.shared.add(tempPath)
    }

    /// Writes all of `bytes` at the current position.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(IngotError) {
        var p = bytes.baseAddress
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("write failed: \(errnoText())")
            }
            p = p.map { $0 + n }
            left -= n
        }
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

    /// Takes over `other`'s temp file (content rebuilt there) in place of this one's.
    func adopt(from other: AtomicFile) {
        close(fd)
        unlink(currentPath)
        TempFileRegistry.shared.remove(currentPath)
        fd = other.fd
        currentPath = other.currentPath
        other.done = true  // `other` no longer owns the file
    }

    /// The temp file holding the content now.
    public private(set) lazy var currentPath: String = tempPath

    /// fsync, rename over the destination, fsync the directory.
    public func commit() throws(IngotError) {
        guard !done else { return }
        guard fsync(fd) == 0 else { throw .io("fsync failed: \(errnoText())") }
        // mkstemp creates 0600; give the file the usual permissions a new file would get.
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o666 & ~mask)
        close(fd)
        fd = -1
        guard rename(currentPath, destination) == 0 else {
            let why = errnoText()
            unlink(currentPath)
            TempFileRegistry.shared.remove(currentPath)
            done = true
            throw .io("cannot rename into place: \(why)")
        }
        TempFileRegistry.shared.remove(currentPath)
        done = true
        let slash = destination.lastIndex(of: "/")
        let dir = slash.map { String(destination[..<$0]) } ?? "."
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Deletes the temp file; the destination is untouched.
    public func abort() {
        guard !done else { return }
        done = true
        if fd >= 0 { close(fd) }
        unlink(currentPath)
        TempFileRegistry.shared.remove(currentPath)
    }

    deinit { abort() }
}

/// Temp files in flight, so that the CLI's SIGINT/SIGTERM handler can delete them before exiting.
///
/// `@unchecked Sendable`: `paths` is only touched under `lock`.
public final class TempFileRegistry: @unchecked Sendable {
    public static let shared = TempFileRegistry()
    private var paths = Set<String>()
    private var lock = pthread_mutex_t()

    private init() { pthread_mutex_init(&lock, nil) }

    func add(_ p: String) { pthread_mutex_lock(&lock); paths.insert(p); pthread_mutex_unlock(&lock) }
    func remove(_ p: String) { pthread_mutex_lock(&lock); paths.remove(p); pthread_mutex_unlock(&lock) }

    /// Unlinks every registered temp file (called from a signal handler's exit path).
    public func removeAll() {
        pthread_mutex_lock(&lock)
        for p in paths { unlink(p) }
        paths.removeAll()
        pthread_mutex_unlock(&lock)
    }
}
