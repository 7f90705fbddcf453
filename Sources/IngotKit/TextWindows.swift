/// A token stream cut into context windows the way llama-perplexity and llama-imatrix cut their chunks: consecutive
/// runs of `context` tokens (the last partial run dropped unless it is the only one), each starting with the BOS
/// token in place of its first token when the model uses one.
enum TextWindows {
    static func make(_ stream: [Int], context: Int, bos: Int?, maxWindows: Int?) -> [(start: Int, ids: [Int])] {
        guard !stream.isEmpty, context > 0 else { return [] }
        var count = max(1, stream.count / context)
        if let m = maxWindows { count = min(count, m) }
        return (0..<count).map { w in
            var ids = Array(stream[(w * context)..<min(stream.count, (w + 1) * context)])
            if let bos { ids[0] = bos }
            return (w * context, ids)
        }
    }
}
