import IngotFormat
import IngotInterop
import IngotQuant
#if canImport(Glibc)
import Glibc
#endif

/// Source → (cast | quantize | dequantize) → Ingot, safetensors, GGUF or a Hugging Face directory, one tensor in
/// memory at a time.
public enum Converter {
    /// Converts `request.source` into `request.output`. The output appears only when the whole conversion succeeded
    /// (written to a temp file beside it, then renamed; in a directory, each file so). Errors: `PipelineError` for a
    /// request that cannot be carried out, `FileError` naming the file for bad input or a failed write.
    public static func convert(_ request: ConvertRequest, progress: ProgressHandler? = nil) throws -> ConvertReport {
        let format = try request.validated()
        let out = request.output
        // A directory is checked file by file once the source says which files it gets.
        // Shards are checked one by one when the plan names them.
        let sharded = request.maxShardBytes != nil
        if format != .hfDirectory, !sharded, !request.overwrite, access(out, F_OK) == 0 { throw PipelineError.outputExists(path: out) }
        let src = try openModelSource(path: request.source)
        var request = request
        let prepared = try request.prepare(for: src)
        var report = ConvertReport(source: request.source, output: out, format: format, quantizing: request.quantize != nil)
        report.warnings = src.warnings.map { PipelineWarning(file: request.source, message: $0) }
        report.warnings += prepared.map { PipelineWarning(file: request.imatrix?.path ?? request.source, message: $0) }

        let target = try format.makeTarget(for: request, source: src)
        report.warnings += target.warnings.map { PipelineWarning(file: out, message: $0) }
        let total = target.tensors.descriptors.count
        try target.writer.appendAll(from: target.tensors) { i, d in
            progress?(i + 1, total, d.name)
            let (layout, buffer, row) = try target.produce(d)
            if let row { report.rows.append(row) }
            return (TensorDescriptor(name: d.name, layout: layout), buffer)
        }
        do { try target.beforeFinish() } catch {
            target.writer.abort()
            throw error
        }
        try target.writer.finish()
        report.files = target.files
        for f in target.files {
            var st = stat()
            if stat(f, &st) == 0 { report.outputBytes += Int(st.st_size) }
        }
        return report
    }

    /// One tensor through the plan: quantize, keep (cast by the request's dtype or an override), or dequantize for
    /// an output without block types.
    static func transform(_ d: TensorDescriptor, _ input: TensorBuffer, request: ConvertRequest, format: OutputFormat,
                          path: String) throws -> (TensorLayout, TensorBuffer, ConvertReport.Row) {
        let l = d.layout
        var decision = request.quantize?.decide(d) ?? .keep(reason: "", cast: nil)
        if case let .quantize(t, g, note) = decision {
            switch try quantize(d, input, to: t, groupSize: g, method: request.method, importance: request.importance(for: d.name),
                                path: path) {
            case let .blocks(layout, blocks, error):
                let requant = l.dtype.isBlockQuantized ? "requantized from \(l.dtype.rawValue)" : nil
                let note = [note, requant].compactMap { $0 }.joined(separator: "; ")
                return (layout, blocks, .init(name: d.name, shape: l.shape, from: l, to: layout, note: note.isEmpty ? nil : note, error: error))
            case let .scaleOverflow(group):
                // A group too large for an f16 scale: this tensor stays float, visibly (the reason is in its row).
                decision = .keep(reason: "scale of group \(group) overflows f16", cast: nil)
            }
        }
        guard case let .keep(reason, cast) = decision else { throw PipelineError.internalError("no decision for \(quoted(d.name))") }
        let target = cast ?? request.dtype
        var layout = l
        var buffer = input
        if l.dtype.isBlockQuantized, !format.hasBlockTypes || (target != nil && target != l.dtype) {
            buffer = try withPath(path) { try BlockCodec.floatBuffer(input, layout: l, name: d.name) }
            layout = try TensorLayout(name: d.name, dtype: .f32, shape: l.shape, groupSize: nil)
        }
        if let t = target, layout.dtype.isFloat, layout.dtype != t {
            let from = layout.dtype
            buffer = try withPath(path) { try buffer.withBytes { try FloatConversion.cast($0, from: from, to: t) } }
            layout = try TensorLayout(name: d.name, dtype: t, shape: l.shape, groupSize: nil)
        }
        return (layout, buffer, .init(name: d.name, shape: l.shape, from: l, to: layout, note: reason.isEmpty ? nil : reason, error: nil))
    }

    enum Quantized {
        case blocks(TensorLayout, TensorBuffer, QuantError)
        /// The quantizer refused: the scale of this group does not fit an f16.
        case scaleOverflow(group: Int)
    }

    /// Quantizes one tensor, measuring its error; an f16 scale overflow is an outcome, not an error.
    static func quantize(_ d: TensorDescriptor, _ input: TensorBuffer, to t: DType, groupSize g: Int, method: QuantMethod,
                         importance: [Float]?, path: String) throws -> Quantized {
        let l = d.layout
        let options = QuantizeOptions(dtype: t, groupSize: g, method: method, importance: importance)
        do {
            let layout = try TensorLayout(name: d.name, dtype: t, shape: l.shape, groupSize: g)
            let (blocks, error) = try BlockCodec.withFloats(input, layout: l, name: d.name) { values in
                try Quantizer.quantizeMeasured(values, shape: l.shape, name: d.name, options: options)
            }
            return .blocks(layout, blocks, error)
        } catch let QuantizationError.scaleOverflow(_, group, _) {
            return .scaleOverflow(group: group)
        } catch let e as FileError {
            throw e
        } catch {
            throw FileError(path: path, error)
        }
    }

    /// The layout `transform` gives a tensor when the output keeps blocks (Ingot, or GGUF before its export plan),
    /// known before any data is read: header-first outputs need it. A quantizer refusing a group (f16 overflow)
    /// would change it, which `QuantizedSource` reports as an error.
    static func plannedLayout(_ d: TensorDescriptor, request: ConvertRequest) throws -> TensorLayout {
        let l = d.layout
        switch request.quantize?.decide(d) ?? .keep(reason: "", cast: nil) {
        case let .quantize(t, g, _):
            return try TensorLayout(name: d.name, dtype: t, shape: l.shape, groupSize: g)
        case let .keep(_, cast):
            let target = cast ?? request.dtype
            var t = l.dtype
            if l.dtype.isBlockQuantized, let target, target != l.dtype { t = .f32 }
            if let target, t.isFloat { t = target }
            return t == l.dtype ? l : try TensorLayout(name: d.name, dtype: t, shape: l.shape, groupSize: nil)
        }
    }

    /// What a header-first output (no block types, no quantization) gets: every tensor, each as `exportLayout` says.
    static func exportDescriptors(_ src: any TensorSource, dtype: DType?) throws -> [TensorDescriptor] {
        try src.descriptors.map { TensorDescriptor(name: $0.name, layout: try exportLayout($0, dtype: dtype)) }
    }

    /// The layout a tensor gets in an output without block types (no quantization possible there).
    static func exportLayout(_ d: TensorDescriptor, dtype: DType?) throws -> TensorLayout {
        let l = d.layout
        var t = l.dtype
        if l.dtype.isBlockQuantized { t = dtype ?? .f32 } else if let dt = dtype, l.dtype.isFloat { t = dt }
        return t == l.dtype ? l : try TensorLayout(name: d.name, dtype: t, shape: l.shape, groupSize: nil)
    }
}
