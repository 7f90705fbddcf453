import IngotFormat

extension VerifyReport {
    /// A self-contained HTML page of the report (placeholder until the full report lands).
    public var html: String {
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>ingot verify</title></head><body><pre>"
            + HTMLEscape.text(json.description) + "</pre></body></html>\n"
    }

    /// Writes `html` atomically (temp file, then rename).
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

enum HTMLEscape {
    static func text(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
