import IngotFormat

/// Token ids as text: "1,2,3" (commas, spaces or newlines between ids), and files of one sequence per line.
public enum TokenSequences {
    /// One sequence; empty ids ("1,,2"), negative or non-numeric ids are refused.
    public static func parse(_ text: String) throws(PipelineError) -> [Int] {
        // Every comma separates something: "1,,2" and "1,2," are typos, not shorter sequences.
        let pieces = text.split(separator: ",", omittingEmptySubsequences: false)
        let parts = pieces.flatMap { $0.split(whereSeparator: \.isWhitespace) }
        let tokens = parts.compactMap { Int($0) }
        guard pieces.allSatisfy({ $0.contains { !$0.isWhitespace } }), tokens.count == parts.count, !tokens.isEmpty,
            tokens.allSatisfy({ $0 >= 0 })
        else {
            throw .badTokens(String(text.prefix(60)))
        }
        return tokens
    }

    /// One sequence per non-blank line of the file at `path`.
    public static func read(path: String) throws -> [[Int]] {
        let text = try withPath(path) { () throws -> String in
            let f = try MappedFile(path: path)
            return String(decoding: f.bytes, as: UTF8.self)
        }
        let lines = text.split(separator: "\n").filter { $0.contains { !$0.isWhitespace } }
        guard !lines.isEmpty else { throw FileError(path: path, PipelineError.noSequences) }
        return try lines.map { line in try withPath(path) { try parse(String(line)) } }
    }
}
