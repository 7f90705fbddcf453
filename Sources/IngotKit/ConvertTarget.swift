import IngotFormat
import IngotInterop
#if canImport(Glibc)
import Glibc
#endif

/// Where a conversion writes: the writer for the output format, the tensors in the order and form that writer takes
/// them, and how each one is made. `Converter.convert` runs the one loop over it.
struct ConvertTarget {
    let writer: any TensorFileWriter
    /// The source itself, or GGUF's view of it (GGUF names, q/k rows permuted, the cast already applied).
    let tensors: any TensorSource
    /// One tensor of `tensors` as it is appended, with its report row (nil for a tensor the export makes itself).
    let produce: (TensorDescriptor) throws -> (TensorLayout, TensorBuffer, ConvertReport.Row?)
    /// Warnings about the output (what GGUF or a directory cannot hold).
    var warnings: [String] = []
    /// Every file put in place (for the size in the report).
    var files: [String]
    /// Runs after the last tensor, before `finish`: Ingot's provenance goes into the header then.
    var beforeFinish: () throws -> Void = {}
}

extension OutputFormat {
    /// The writer for this format at `request.output` with everything it needs planned from `source`. A header-first
    /// output (safetensors, GGUF, a directory) knows every layout now: safetensors and directories refuse
    /// quantization, GGUF plans it (`QuantizedSource`), so a tensor's layout follows from its source layout, the
    /// quantization decision and the cast type.
    func makeTarget(for request: ConvertRequest, source src: any TensorSource) throws -> ConvertTarget {
        let out = request.output
        let transform = { (d: TensorDescriptor) throws -> (TensorLayout, TensorBuffer, ConvertReport.Row?) in
            let (layout, buffer, row) = try Converter.transform(d, try src.load(d.name), request: request, format: self, path: src.path)
            return (layout, buffer, row)
        }
        switch self {
        case .ingot where request.maxShardBytes != nil:
            return try makeShardedIngotTarget(for: request, source: src, maxBytes: request.maxShardBytes ?? 0, transform: transform)
        case .ingot:
            // Hashing the source files for provenance overlaps the conversion; the header is written last anyway.
            let provenance = Background { [plan = Provenance.plan(source: src), options = request.provenanceOptions] in
                try Provenance.make(plan, version: IngotVersion.string, options: options)
            }
            let w = try IngotWriter(path: out, options: IngotWriter.Options(compression: request.compression), metadata: src.metadata)
            return ConvertTarget(writer: w, tensors: src, produce: transform, files: [out]) {
                w.metadata["ingot.provenance"] = try provenance.value()
            }
        case .safetensors:
            let w = try SafetensorsWriter(path: out, metadata: SafetensorsWriter.foreignMetadata(src.metadata),
                                          tensors: try Converter.exportDescriptors(src, dtype: request.dtype))
            return ConvertTarget(writer: w, tensors: src, produce: transform, files: [out])
        case .hfDirectory:
            // The writer knows which files it puts there and refuses existing ones; the pipeline reports that as it
            // does for a single output file.
            let w: HFDirectoryWriter
            do {
                w = try HFDirectoryWriter(path: out, metadata: src.metadata, tensors: try Converter.exportDescriptors(src, dtype: request.dtype),
                                          overwrite: request.overwrite, maxShardBytes: request.maxShardBytes)
            } catch let e as FileError where e.underlying as? HFExportError == .fileExists {
                throw PipelineError.outputExists(path: e.path)
            }
            return ConvertTarget(writer: w, tensors: src, produce: transform, warnings: w.warnings, files: w.files)
        case .gguf:
            // The canonical → GGUF mapping (names, q/k permutation, llama.* keys, tokenizer) is planned from the whole
            // source, cast first (its f32 widening of 1-D tensors looks at the cast type).
            // Quantizing: each tensor through the conversion's plan first (quantize from the source's own values, cast
            // the rest), then GGUF's mapping; the rows then carry the quantizer's notes and errors.
            let quantized = try request.quantize.map { _ in try QuantizedSource(src, request: request) }
            let cast: any TensorSource = try quantized ?? request.dtype.map { try CastSource(src, to: $0) } ?? src
            let export = try withPath(out) { try GGUFExport(cast, allowNoTokenizer: request.allowNoTokenizer) }
            let w: any TensorFileWriter
            var files = [out]
            if let m = request.maxShardBytes {
                let o = ShardedOutput(output: out, format: .gguf)
                try o.makeDirectory()
                let split = try export.splitWriter(dir: o.dir, stem: o.stem, maxShardBytes: m)
                files = split.plan.shards.indices.map { o.path($0, of: split.plan.shards.count) }
                if !request.overwrite, let existing = files.first(where: { access($0, F_OK) == 0 }) {
                    throw PipelineError.outputExists(path: existing)
                }
                w = split
            } else {
                w = try export.writer(path: out)
            }
            var origin: [ExactKey: TensorDescriptor] = [:]
            for d in src.descriptors { origin[ExactKey(d.name)] = d }
            return ConvertTarget(writer: w, tensors: export, produce: { d in
                let buffer = try export.load(d.name)
                let source = export.sourceName(of: d.name)
                let row = source.flatMap { quantized?.row($0) } ?? source.flatMap { origin[ExactKey($0)] }.map {
                    ConvertReport.Row(name: $0.name, shape: $0.layout.shape, from: $0.layout, to: d.layout, note: nil, error: nil)
                }
                return (d.layout, buffer, row)
            }, warnings: export.warnings, files: files)
        }
    }
}
