/// The tail every file writer shares: it owns one `AtomicFile` for `path`, runs each step of the write so that an
/// error abandons the file (nothing appears at `path`) and names `path`, and commits once. After the commit, an
/// abort or a failed step, every further step is refused — a writer cannot half-continue past an error.
public final class PendingFile {
    public let path: String
    private let file: AtomicFile
    private var state = State.open

    private enum State { case open, committed, abandoned }

    public init(path: String) throws {
        self.path = path
        file = try withPath(path) { try AtomicFile(destination: path) }
    }

    /// Runs `body` on the open file. An error abandons the file and is rethrown naming `path` (a `FileError` from
    /// elsewhere keeps its own name).
    public func step<T>(_ body: (AtomicFile) throws -> T) throws -> T {
        guard state == .open else { throw FileError(path: path, TensorWriteError.closed(committed: state == .committed)) }
        do {
            return try body(file)
        } catch {
            abort()
            if let e = error as? FileError { throw e }
            throw FileError(path: path, error)
        }
    }

    /// Runs `last` (what goes in at the end: Ingot's header, a completeness check), then fsyncs and moves the file
    /// into place.
    public func commit(_ last: (AtomicFile) throws -> Void = { _ in }) throws {
        try step { f in
            try last(f)
            try f.commit()
        }
        state = .committed
    }

    /// Deletes the temp file; the destination is untouched. Nothing happens after a commit.
    public func abort() {
        guard state == .open else { return }
        state = .abandoned
        file.abort()
    }
}
