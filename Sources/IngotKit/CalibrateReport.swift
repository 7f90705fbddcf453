import IngotFormat
import IngotInterop
#if canImport(Glibc)
import Glibc
#endif

/// What `Calibrator.calibrate` produced: the importance matrix and what it was made from.
public struct CalibrateReport: Sendable {
    public let model: String
    public let dataset: String
    public let chunks: Int
    public let tokens: Int
    public let imatrix: ImportanceMatrix

    /// Writes the matrix in llama.cpp's `format` (temp file + rename); refuses an existing file unless `overwrite`.
    public func write(to path: String, format: ImatrixFormat, overwrite: Bool = false) throws {
        if !overwrite, access(path, F_OK) == 0 { throw PipelineError.outputExists(path: path) }
        try ImatrixFile.write(imatrix, to: path, format: format)
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("model", .string(model)), ("dataset", .string(dataset)), ("chunks", .integer(chunks)),
            ("chunk_size", .integer(imatrix.chunkSize)), ("tokens", .integer(tokens)),
            ("matrices", .array(imatrix.entries.map { e in
                .object(JSONObject([("name", .string(e.name)), ("columns", .integer(e.columns)),
                                    ("tokens", .number(Double(e.counts.reduce(0, +))))]))
            })),
        ]))
    }
}
