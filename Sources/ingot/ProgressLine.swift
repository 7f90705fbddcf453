import IngotKit
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress meter on stderr for a pipeline's `ProgressHandler`, shown only when stderr is a terminal
/// (scripts and logs stay clean), at most ten redraws a second.
final class ProgressLine {
    let label: String
    private let enabled = isatty(2) == 1
    private var last = 0.0

    init(_ label: String) { self.label = label }

    /// Runs `body` with this meter as its progress handler and clears the line afterwards, also on errors.
    static func during<T>(_ label: String, _ body: (@escaping ProgressHandler) throws -> T) rethrows -> T {
        let line = ProgressLine(label)
        defer { line.finish() }
        return try body(line.update)
    }

    func update(_ done: Int, _ total: Int, _ item: String) {
        guard enabled else { return }
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let now = Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
        guard now - last > 0.1 || done == total else { return }
        last = now
        let name = item.count > 40 ? "…" + item.suffix(39) : item
        writeStderr("\r\u{1B}[K\(label) [\(done)/\(total)] \(name)")
    }

    func finish() {
        if enabled { writeStderr("\r\u{1B}[K") }
    }
}
