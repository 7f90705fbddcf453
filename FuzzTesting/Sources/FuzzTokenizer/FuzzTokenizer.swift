import IngotText

/// Tokenizers whose normalizers, scanners and models see the fuzz input as text. Built per input, not kept in a
/// global: LeakSanitizer cannot follow Swift's tagged pointers to indirect-enum boxes from globals and would
/// report them as leaks.
private func fixedTokenizers() -> [Tokenizer] {
    func bpe(_ pre: String, normalizer: String = "null") -> String {
        let vocab = (0..<256).map { "\"<0x\(String($0, radix: 16, uppercase: true).count == 1 ? "0" : "")\(String($0, radix: 16, uppercase: true))>\": \($0)" }
        return """
            {"added_tokens": [{"id": 256, "content": "<s>", "special": true, "normalized": false, "lstrip": true, "rstrip": true}],
             "normalizer": \(normalizer), "pre_tokenizer": \(pre), "post_processor": null, "decoder": {"type": "ByteFallback"},
             "model": {"type": "BPE", "byte_fallback": true, "vocab": {\(vocab.joined(separator: ", "))}, "merges": []}}
            """
    }
    let llama3 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    let specs = [
        bpe(#"{"type": "ByteLevel", "add_prefix_space": true}"#, normalizer: #"{"type": "NFC"}"#),
        bpe(#"{"type": "Split", "pattern": {"Regex": "\#(llama3.replacingOccurrencesOfBackslash())"}, "behavior": "Isolated", "invert": false}"#),
        bpe(#"{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true}"#,
            normalizer: #"{"type": "BertNormalizer", "lowercase": true}"#),
        bpe(#"{"type": "BertPreTokenizer"}"#, normalizer: #"{"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "Lowercase"}]}"#),
    ]
    return specs.compactMap { try? Tokenizer(json: $0) }
}

extension String {
    /// JSON-escapes backslashes.
    fileprivate func replacingOccurrencesOfBackslash() -> String {
        var out = ""
        for c in unicodeScalars { out += c == "\\" ? "\\\\" : String(c) }
        return out
    }
}

/// libFuzzer entry for tokenizers: the input as a tokenizer.json (built, then encoding and decoding a few texts)
/// and as text through fixed tokenizers with every normalizer, scanner and model kind.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let tok = try? Tokenizer(jsonBytes: bytes) {
        for text in ["Hello world", " <s> a\u{301}\n\n12345 ", "日本語テキスト😀"] {
            let e = tok.encode(text, pair: text)
            _ = tok.decode(e.ids, skipSpecialTokens: false)
        }
    }
    let text = String(decoding: bytes, as: UTF8.self)
    for tok in fixedTokenizers() {
        let e = tok.encode(text)
        _ = tok.decode(e.ids)
    }
    return 0
}
