import IngotFormat
import Synchronization

/// A model's tokens: string → id through a byte-string table, id → string through an array.
struct Vocabulary: Sendable {
    /// Largest id and entry count accepted from a file (a hostile count must not allocate gigabytes).
    static let maxSize = 4_000_000

    let table: ByteStringTable
    let tokens: [String?]
    var count: Int { table.count }

    /// Entries as (token, id). Duplicate ids are errors (tokenizers would keep one of them in hash-map order);
    /// a token given twice is an error unless `lastWins` (GGUF arrays, where llama.cpp keeps the last).
    init(_ entries: [(String, Int64)], lastWins: Bool = false) throws(TokenizerError) {
        guard entries.count <= Self.maxSize else { throw .badModel("vocabulary of \(entries.count) tokens (limit \(Self.maxSize))") }
        var t = ByteStringTable(capacity: entries.count)
        var maxID: Int64 = -1
        for (_, id) in entries {
            guard id >= 0 && id < Int64(Self.maxSize) else { throw .badModel("token id \(id) out of range") }
            maxID = max(maxID, id)
        }
        var byID = [String?](repeating: nil, count: Int(maxID + 1))
        for (s, id) in entries {
            var s = s
            let old = s.withUTF8 { t.set(UnsafeRawBufferPointer($0), Int32(id)) }
            if old != nil && !lastWins { throw .badModel("token \(quoted(s)) appears twice in the vocabulary") }
            if let other = byID[Int(id)] { throw .badModel("id \(id) is given to both \(quoted(other)) and \(quoted(s))") }
            byID[Int(id)] = s
        }
        table = t
        tokens = byID
    }

    func id(_ s: String) -> Int32? { table.get(s) }

    func token(_ id: Int32) -> String? { id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil }
}

/// GPT-2's byte ↔ printable character table (tokenizers' `bytes_char`).
enum ByteLevelAlphabet {
    /// Byte → scalar.
    static let scalars: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            if (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) {
                table[b] = UInt32(b)
            } else {
                table[b] = 256 + n
                n += 1
            }
        }
        return table
    }()

    /// Scalar (< 0x144) → byte, -1 when not in the alphabet.
    static let bytes: [Int16] = {
        var t = [Int16](repeating: -1, count: 0x144)
        for (b, c) in scalars.enumerated() { t[Int(c)] = Int16(b) }
        return t
    }()

    /// UTF-8 of byte-level text → raw bytes, nil when a character is outside the alphabet.
    static func decode(_ s: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            let len = UTF8Scan.length(lead: s[i])
            guard i + len <= s.count else { return nil }
            let (c, n) = UTF8Scan.decode(s, i)
            guard c < 0x144, bytes[Int(c)] >= 0 else { return nil }
            out.append(UInt8(bytes[Int(c)]))
            i += n
        }
        return out
    }

    static func decode(_ s: String) -> [UInt8]? {
        var s = s
        return s.withUTF8 { decode($0) }
    }

    static func encode(_ raw: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count * 2)
        for b in raw { UTF8Scan.append(scalars[Int(b)], to: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Word → (id, length) pairs, bounded like tokenizers' cache (words under 256 bytes, a fixed number of entries,
/// no eviction). Shared by all threads behind a mutex.
final class WordCache: Sendable {
    static let capacity = 100_000
    static let maxWordBytes = 256

    private struct Storage {
        var index = ByteStringTable(capacity: 1024)
        var results: [Int32] = []  // per entry: count, then pairs
    }

    private let storage = Mutex(Storage())

    func lookup(_ p: UnsafeRawPointer, _ n: Int, into out: inout [Int32]) -> Bool {
        guard n < Self.maxWordBytes else { return false }
        return storage.withLock { s in
            guard let at = s.index.get(p, n) else { return false }
            let start = Int(at)
            let count = Int(s.results[start])
            out.append(contentsOf: s.results[(start + 1)..<(start + 1 + count)])
            return true
        }
    }

    func store(_ p: UnsafeRawPointer, _ n: Int, _ pairs: ArraySlice<Int32>) {
        guard n < Self.maxWordBytes else { return }
        storage.withLock { s in
            guard s.index.count < Self.capacity else { return }
            let at = Int32(s.results.count)
            s.results.append(Int32(pairs.count))
            s.results.append(contentsOf: pairs)
            s.index.set(UnsafeRawBufferPointer(start: p, count: n), at)
        }
    }
}
