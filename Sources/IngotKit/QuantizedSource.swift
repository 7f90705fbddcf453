import IngotFormat
import IngotInterop
#if canImport(Glibc)
import Glibc
#endif

/// A source seen through a conversion's per-tensor plan (quantize, cast, keep): the view a header-first writer
/// (GGUF) needs, since it must know every layout before the first tensor is written. Layouts come from
/// `Converter.plannedLayout`; `load` runs `Converter.transform` and records each tensor's report row. A quantizer
/// that refuses a tensor (a group whose scale overflows f16) would change its layout after the header is out, so it
/// is an error here naming the tensor — `.ingot` outputs keep such a tensor in float instead.
final class QuantizedSource: TensorSource {
    let base: any TensorSource
    let request: ConvertRequest
    let descriptors: [TensorDescriptor]
    /// Each name's (source descriptor, planned layout).
    private let plan: [ExactKey: (source: TensorDescriptor, layout: TensorLayout)]
    private var rows: [ExactKey: ConvertReport.Row] = [:]
    private var lock = pthread_mutex_t()

    init(_ base: any TensorSource, request: ConvertRequest) throws {
        self.base = base
        self.request = request
        descriptors = try base.descriptors.map { d in
            TensorDescriptor(name: d.name, layout: try withPath(base.path) { try Converter.plannedLayout(d, request: request) })
        }
        var plan: [ExactKey: (source: TensorDescriptor, layout: TensorLayout)] = [:]
        for (d, p) in zip(base.descriptors, descriptors) where plan[ExactKey(d.name)] == nil { plan[ExactKey(d.name)] = (d, p.layout) }
        self.plan = plan
        pthread_mutex_init(&lock, nil)
    }

    deinit { pthread_mutex_destroy(&lock) }

    var path: String { base.path }
    var formatName: String { base.formatName }
    /// The source's metadata, plus what the GGUF export records of the quantization: the mix's llama.cpp file type
    /// (`general.file_type`) and the importance matrix (`quantize.imatrix.*`, as llama-quantize writes them).
    var metadata: JSONObject {
        var m = base.metadata
        var q = JSONObject()
        if let r = request.quantize?.recipe {
            q["recipe"] = .string(r.rawValue)
            q["file_type"] = .integer(Int(r.fileType))
        }
        if let (path, matrix) = request.imatrix {
            q["imatrix"] = .object(JSONObject([
                ("file", .string(path)), ("dataset", matrix.datasets.first.map(JSONValue.string) ?? .null),
                ("entries", .integer(matrix.entries.count)), ("chunks", .integer(matrix.chunkCount)),
            ]))
        }
        if !q.isEmpty { m[GGUFCanonicalKeyValues.quantizationKey] = .object(q) }
        return m
    }
    var warnings: [String] { base.warnings }
    var sourceFiles: [(shown: String, path: String)] { base.sourceFiles }
    func sourceFile(of name: String) -> String? { base.sourceFile(of: name) }

    func load(_ name: String) throws -> TensorBuffer {
        guard let (d, planned) = plan[ExactKey(name)] else { throw FileError(path: path, IngotError.noSuchTensor(name)) }
        let (layout, buffer, row) = try Converter.transform(d, try base.load(name), request: request, format: .ingot, path: path)
        guard layout == planned else {
            throw PipelineError.quantizerRefused(tensor: name, reason: row.note ?? "its layout changed")
        }
        pthread_mutex_lock(&lock)
        rows[ExactKey(name)] = row
        pthread_mutex_unlock(&lock)
        return buffer
    }

    /// The report row of a tensor already loaded.
    func row(_ name: String) -> ConvertReport.Row? {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return rows[ExactKey(name)]
    }

    func evict(_ name: String) { base.evict(name) }
}
