import IngotFormat
import IngotQuant

/// What a conversion did: one row per tensor (type before and after, and for quantized tensors the error), the
/// output's size, and the warnings met on the way.
public struct ConvertReport: Sendable {
    /// What happened to one tensor.
    public struct Row: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let from: TensorLayout
        public let to: TensorLayout
        /// Why a tensor stayed float, a fallback group size, "requantized from q8_0"; nil when there is nothing to say.
        public let note: String?
        /// The quantization error; nil for tensors that were not quantized.
        public let error: QuantError?

        public var quantized: Bool { error != nil }
    }

    public let source: String
    public let output: String
    public let format: OutputFormat
    /// Whether the request quantized (the CLI then shows the per-tensor table).
    public let quantizing: Bool
    public internal(set) var rows: [Row] = []
    /// The size of the written file (all files, for shards).
    public internal(set) var outputBytes = 0
    /// Every file written: the output, or each shard (and the index) a sharded output wrote.
    public internal(set) var files: [String] = []
    public internal(set) var warnings: [PipelineWarning] = []

    init(source: String, output: String, format: OutputFormat, quantizing: Bool) {
        self.source = source
        self.output = output
        self.format = format
        self.quantizing = quantizing
    }

    /// Tensor data before and after (decoded sizes, not the compressed file size).
    public var bytesBefore: Int { rows.reduce(0) { $0 + $1.from.byteCount } }
    public var bytesAfter: Int { rows.reduce(0) { $0 + $1.to.byteCount } }
    public var parameters: Int { rows.reduce(0) { $0 + $1.from.elementCount } }
    public var quantizedCount: Int { rows.filter(\.quantized).count }
    /// Bits of tensor data per parameter after the conversion.
    public var bitsPerWeight: Double { parameters == 0 ? 0 : Double(bytesAfter * 8) / Double(parameters) }
    /// How many times smaller the tensor data got.
    public var shrinkFactor: Double { bytesBefore == 0 ? 0 : Double(bytesBefore) / Double(max(bytesAfter, 1)) }

    public var json: JSONValue {
        let tensors: [JSONValue] = rows.map { r in
            .object(JSONObject([
                ("name", .string(r.name)), ("shape", .array(r.shape.map(JSONValue.integer))),
                ("from", .string(r.from.typeName)), ("to", .string(r.to.typeName)),
                ("note", r.note.map(JSONValue.string) ?? .null),
                ("rmse", .number(r.error?.rmse)), ("sqnr_db", .number(r.error?.sqnrDB)), ("max_abs", .number(r.error?.maxAbs)),
            ]))
        }
        return .object(JSONObject([
            ("source", .string(source)), ("output", .string(output)), ("format", .string(format.rawValue)),
            ("tensors", .array(tensors)),
            ("totals", .object(JSONObject([
                ("tensors", .integer(rows.count)), ("quantized", .integer(quantizedCount)), ("params", .integer(parameters)),
                ("bytes_before", .integer(bytesBefore)), ("bytes_after", .integer(bytesAfter)),
                ("bits_per_weight", .number(bitsPerWeight)), ("file_bytes", .integer(outputBytes)),
            ]))),
            ("files", .array(files.map(JSONValue.string))),
            ("warnings", .array(warnings.map { .string($0.description) })),
        ]))
    }
}
