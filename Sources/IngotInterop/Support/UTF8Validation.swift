/// Strict UTF-8 checking without building a String (headers may be 100 MB): Swift's decoder rejects overlong
/// forms, surrogates and code points past U+10FFFF.
enum UTF8Validation {
    /// Offset of the first byte that is not part of valid UTF-8, nil when all of `bytes` is valid.
    static func firstInvalidOffset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var offset = 0
        var it = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &it) {
            case let .valid(s): offset += s.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }
}
