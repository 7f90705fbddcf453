import IngotText

/// Turns generated token ids into text as they arrive, releasing only text that later tokens cannot change.
///
/// A byte-level BPE token can end in the middle of a UTF-8 character (an emoji is often three or four tokens): the
/// decoded text then ends in U+FFFD until the rest arrives, so nothing is released until it does. Each step decodes a
/// short window — the tokens since the last release plus the ones before them — and releases what the new tokens
/// added to it (the prefix/read-offset scheme of Hugging Face's text-generation-inference), so the cost per token is
/// constant and decoders that treat a leading space specially see the same context on both sides of the diff.
public struct TextStream {
    public let tokenizer: Tokenizer
    public private(set) var ids: [Int] = []
    private var prefixOffset = 0
    private var readOffset = 0

    public init(tokenizer: Tokenizer) { self.tokenizer = tokenizer }

    /// Adds one token; returns the text it completes (often empty).
    public mutating func push(_ id: Int) -> String {
        ids.append(id)
        let before = tokenizer.decode(Array(ids[prefixOffset..<readOffset]))
        let after = tokenizer.decode(Array(ids[prefixOffset...]))
        guard after.utf8.count > before.utf8.count, !after.hasSuffix("\u{FFFD}") else { return "" }
        let new = String(decoding: after.utf8.dropFirst(before.utf8.count), as: UTF8.self)
        prefixOffset = readOffset
        readOffset = ids.count
        return new
    }

    /// What is still held back at the end (an unfinished character decodes as U+FFFD, as in the full decode).
    public mutating func finish() -> String {
        let before = tokenizer.decode(Array(ids[prefixOffset..<readOffset]))
        let after = tokenizer.decode(Array(ids[prefixOffset...]))
        prefixOffset = ids.count
        readOffset = ids.count
        guard after.utf8.count > before.utf8.count else { return "" }
        return String(decoding: after.utf8.dropFirst(before.utf8.count), as: UTF8.self)
    }

    /// The text each of `ids` adds, aligned with them (what the stream releases per token, the held-back tail added
    /// to the last): for showing a sequence token by token.
    public static func pieces(_ ids: [Int], tokenizer: Tokenizer) -> [String] {
        var stream = TextStream(tokenizer: tokenizer)
        var out = ids.map { stream.push($0) }
        if let last = out.indices.last { out[last] += stream.finish() }
        return out
    }
}
