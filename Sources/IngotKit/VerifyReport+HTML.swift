import IngotFormat

extension VerifyReport {
    /// The self-contained HTML page of the report (`HTMLReport`).
    public var html: String { HTMLReport(self).html }

    /// Writes `html` atomically: a temp file beside `path`, moved into place only once complete, so an existing
    /// report is replaced only by a whole new one and a failed write leaves nothing behind.
    public func writeHTML(to path: String) throws {
        let bytes = Array(html.utf8)
        try withPath(path) {
            let file = try AtomicFile(destination: path)
            do {
                try file.write(bytes)
                try file.commit()
            } catch {
                file.abort()
                throw error
            }
        }
    }
}
