import IngotFormat
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress meter on stderr, shown only when stderr is a terminal (scripts and logs stay clean).
struct Progress {
    let total: Int
    let label: String
    private let enabled = isatty(2) == 1
    private var last = 0.0

    init(total: Int, label: String) {
        self.total = total
        self.label = label
    }

    mutating func update(_ done: Int, _ item: String) {
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
