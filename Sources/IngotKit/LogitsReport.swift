import IngotFormat
import IngotInterop
import IngotModel

/// A model's next-token logits for a token sequence.
public struct LogitsReport: Sendable {
    public let model: String
    public let tokens: [Int]
    /// [positions, vocab], row-major.
    public let logits: Logits
    /// The text of the input tokens and of every top-5 token, when the model has a tokenizer (else empty).
    public var tokenText: [Int: String] = [:]

    public init(model: String, tokens: [Int], logits: Logits, tokenText: [Int: String] = [:]) {
        self.model = model
        self.tokens = tokens
        self.logits = logits
        self.tokenText = tokenText
    }

    /// The `k` most likely next tokens after position `i`, best first (ties: the lower id first).
    public func top(_ k: Int, at i: Int) -> [(token: Int, logit: Float)] { Self.top(k, of: logits, at: i) }

    /// The `k` most likely next tokens of `logits` after position `i`, best first (ties: the lower id first).
    public static func top(_ k: Int, of logits: Logits, at i: Int) -> [(token: Int, logit: Float)] {
        let row = logits.row(i)
        let base = row.startIndex
        return row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }.prefix(k).map { ($0 - base, row[$0]) }
    }

    /// Writes all logits as an f32 `.npy` array [positions, vocab]; an existing file is replaced only with `overwrite`.
    public func writeNpy(to path: String, overwrite: Bool = false) throws {
        try NpyWriter.writeFloat32(path: path, shape: [logits.positions, logits.vocab], values: logits.values, overwrite: overwrite)
    }

    /// The tokens and, per position, the five most likely next tokens (the full logits go to `.npy`).
    public var json: JSONValue {
        let positions: [JSONValue] = (0..<logits.positions).map { i in
            .object(JSONObject([
                ("position", .integer(i)), ("token", .integer(tokens[i])), ("text", tokenText[tokens[i]].map(JSONValue.string) ?? .null),
                ("top", .array(top(5, at: i).map {
                    .object(JSONObject([("token", .integer($0.token)), ("text", tokenText[$0.token].map(JSONValue.string) ?? .null),
                                        ("logit", .number(Double($0.logit)))]))
                })),
            ]))
        }
        return .object(JSONObject([
            ("model", .string(model)), ("vocab", .integer(logits.vocab)), ("tokens", .array(tokens.map(JSONValue.integer))),
            ("positions", .array(positions)),
        ]))
    }
}
