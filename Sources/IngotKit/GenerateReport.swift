import IngotFormat
import IngotModel

/// Why generation ended.
public enum FinishReason: String, Sendable, Equatable {
    /// An end-of-sequence or end-of-turn token was produced (it is in `ids`, not in `text`).
    case stop
    /// `maxTokens` were produced.
    case length
    /// The model's context (max positions) is full.
    case context
}

/// A generation's result: the prompt's ids, the generated ids and text, why it stopped, and timings.
public struct GenerateReport: Sendable {
    public let model: String
    public let promptIDs: [Int]
    /// Generated ids, the stop token included when there was one.
    public let ids: [Int]
    /// The generated text (special tokens skipped), exactly what was streamed.
    public let text: String
    public let finishReason: FinishReason
    public let sampling: SamplingOptions
    /// Wall time of the prompt's forward pass (all prompt tokens at once).
    public let promptSeconds: Double
    /// Decoding steps run after the prompt (one forward pass of one token each) and their wall time, sampling included.
    public let decodeSteps: Int
    public let decodeSeconds: Double
    /// The kernels that ran the decoding steps.
    public let simd: String
    public let activations: DecodeActivations

    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptIDs.count) / promptSeconds : 0 }
    public var decodeTokensPerSecond: Double { decodeSeconds > 0 ? Double(decodeSteps) / decodeSeconds : 0 }

    public var json: JSONValue {
        .object(JSONObject([
            ("model", .string(model)), ("text", .string(text)), ("ids", .array(ids.map(JSONValue.integer))),
            ("prompt_ids", .array(promptIDs.map(JSONValue.integer))), ("finish_reason", .string(finishReason.rawValue)),
            ("sampling", .object(JSONObject([
                ("temperature", .number(sampling.temperature)), ("top_k", .integer(sampling.topK)),
                ("top_p", .number(sampling.topP)), ("min_p", .number(sampling.minP)),
                ("repeat_penalty", .number(sampling.repeatPenalty)), ("repeat_last_n", .integer(sampling.repeatLastN)),
                ("seed", .string(String(sampling.seed))),
            ]))),
            ("timings", .object(JSONObject([
                ("prompt_tokens", .integer(promptIDs.count)), ("prompt_seconds", .number(promptSeconds)),
                ("prompt_tokens_per_second", .number(promptTokensPerSecond)), ("decode_steps", .integer(decodeSteps)),
                ("decode_seconds", .number(decodeSeconds)), ("decode_tokens_per_second", .number(decodeTokensPerSecond)),
                ("simd", .string(simd)), ("activations", .string(activations.rawValue)),
            ]))),
        ]))
    }
}
