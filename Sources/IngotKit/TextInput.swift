import IngotFormat
#if canImport(Glibc)
import Glibc
#endif

/// Text the CLI reads: a UTF-8 file or standard input (invalid UTF-8 is an error naming the file), and a
/// conversation JSON file.
public enum TextInput {
    /// Caps what one text input may hold; a model prompt is far smaller.
    public static let maxBytes = 256 << 20

    /// The UTF-8 text of `path`, or of standard input when `path` is nil.
    public static func read(_ path: String?) throws -> String {
        guard let path else { return try readStandardInput() }
        let f = try withPath(path) { try MappedFile(path: path) }
        guard f.bytes.count <= maxBytes else { throw FileError(path: path, IngotError.io("larger than \(maxBytes) bytes")) }
        guard let s = String(validating: f.bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else {
            throw FileError(path: path, IngotError.io("not valid UTF-8 text"))
        }
        return s
    }

    static func readStandardInput() throws -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw FileError(path: "<stdin>", IngotError.io("read failed")) }
            if n == 0 { break }
            bytes += chunk[0..<n]
            guard bytes.count <= maxBytes else { throw FileError(path: "<stdin>", IngotError.io("larger than \(maxBytes) bytes")) }
        }
        guard let s = String(validating: bytes, as: UTF8.self) else { throw FileError(path: "<stdin>", IngotError.io("not valid UTF-8 text")) }
        return s
    }

    /// Messages (and tools) from a JSON file: an array of message objects, or `{"messages": [...], "tools": [...]}`.
    public static func conversation(_ path: String) throws -> (messages: [JSONValue], tools: [JSONValue]?) {
        let text = try read(path)
        let value: JSONValue
        do { value = try JSONParser.parse(Array(text.utf8)) } catch {
            throw FileError(path: path, IngotError.io("not valid JSON: \(error)"))
        }
        if let a = value.arrayValue { return (a, nil) }
        guard let o = value.objectValue, let m = o["messages"]?.arrayValue else {
            throw FileError(path: path, IngotError.io("expected an array of messages or an object with \"messages\""))
        }
        return (m, o["tools"]?.arrayValue)
    }
}
