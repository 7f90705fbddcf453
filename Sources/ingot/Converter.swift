import IngotFormat
import IngotInterop
import IngotQuant
#if canImport(Glibc)
import Glibc
#endif

struct ConvertOptions {
    var dtype: DType?
    var compression: CompressionOptions?
    var overwrite = false
    var quant: QuantPolicy?
    var method: QuantMethod = .search

    /// The options as provenance records them (null when not given).
    var json: JSONObject {
        func str(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        return JSONObject([
            ("dtype", str(dtype?.rawValue)),
            ("quantize", str(quant?.dtype.rawValue)),
            ("group_size", quant.map { $0.groupSize == QuantPolicy.wholeRow ? .string("row") : .int(Int64($0.groupSize)) } ?? .null),
            ("method", quant == nil ? .null : .string(method.rawValue)),
            ("compress", compression.map { .string("zstd:\($0.level)") } ?? .null),
        ])
    }
}

/// Source → (cast | quantize | dequantize) → Ingot or safetensors, one tensor in memory at a time.
enum Converter {
    enum OutputFormat {
        case ingot, safetensors, gguf

        init(path: String) throws {
            if path.hasSuffix(".ingot") { self = .ingot }
            else if path.hasSuffix(".safetensors") { self = .safetensors }
            else if path.hasSuffix(".gguf") { self = .gguf }
            else { throw CLIError("\(path): cannot tell the output format (use a .ingot, .safetensors or .gguf extension)") }
        }

        var hasBlockTypes: Bool { self == .ingot }
    }

    /// What happened to one tensor, for the table `convert --quantize` prints.
    struct Row {
        let name: String
        let shape: [Int]
        let from: TensorLayout
        let to: TensorLayout
        let note: String?
        let error: QuantError?
    }

    static func convert(source path: String, to out: String, options: ConvertOptions) throws -> ConvertReport {
        let format = try OutputFormat(path: out)
        if !options.overwrite, access(out, F_OK) == 0 {
            throw CLIError("\(out): already exists (use --force to overwrite)")
        }
        if options.compression != nil, format != .ingot {
            throw CLIError("--compress needs an .ingot output (safetensors has no compression)")
        }
        if options.quant != nil, format != .ingot {
            throw CLIError("--quantize needs an .ingot output; convert that .ingot to .gguf/.safetensors afterwards "
                           + "(q8_0/q4_0/q4_1 blocks at group size 32 go into GGUF unchanged)")
        }
        let src = try openModelSource(path: path)
        for w in src.warnings { writeStderr("ingot: warning: \(path): \(w)\n") }
        var report = ConvertReport(path: out, quantized: options.quant != nil)
        var progress = Progress(total: src.descriptors.count, label: "convert")
        defer { progress.finish() }

        func prepare(_ i: Int) throws -> (TensorLayout, TensorBuffer) {
            let d = src.descriptors[i]
            progress.update(i + 1, d.name)
            let (layout, buffer, row) = try transform(d, try src.load(d.name), options: options, format: format, path: path)
            report.rows.append(row)
            return (layout, buffer)
        }

        switch format {
        case .gguf:
            // The canonical → GGUF mapping (names, q/k permutation, llama.* keys, tokenizer) needs the whole source.
            let source: any TensorSource = try options.dtype.map { try CastSource(src, to: $0) } ?? src
            let warnings = try GGUFExport.write(path: out, source: source)
            for w in warnings { writeStderr("ingot: warning: \(out): \(w)\n") }
            report.rows = source.descriptors.map { Row(name: $0.name, shape: $0.layout.shape, from: $0.layout, to: $0.layout, note: nil, error: nil) }
        case .ingot:
            // Hashing the source files for provenance overlaps the conversion; the header is written last anyway.
            let provenance = Background { [plan = Provenance.plan(source: src), json = options.json] in
                try Provenance.make(plan, version: IngotVersion.string, options: json)
            }
            let w = try IngotWriter(path: out, options: IngotWriter.Options(compression: options.compression), metadata: src.metadata)
            for i in src.descriptors.indices {
                let (layout, buffer) = try prepare(i)
                try buffer.withBytes { try w.add(name: src.descriptors[i].name, layout: layout, bytes: $0) }
                src.evict(src.descriptors[i].name)
            }
            w.metadata["ingot.provenance"] = try provenance.value()
            try w.finish()
        case .safetensors:
            // safetensors needs every size up front: without quantization they follow from the source layouts.
            let layouts = try src.descriptors.map { try exportLayout($0, dtype: options.dtype) }
            var position: [ExactKey: Int] = [:]
            for (i, d) in src.descriptors.enumerated() { position[ExactKey(d.name)] = i }
            let descriptors = zip(src.descriptors, layouts).map { TensorDescriptor(name: $0.name, layout: $1) }
            // `ingot.*` keys are Ingot's own (config, tokenizer, provenance): safetensors gets the foreign metadata only.
            var foreign = src.metadata
            for k in foreign.keys where k.hasPrefix("ingot.") { foreign[k] = nil }
            try SafetensorsWriter.write(path: out, metadata: foreign, tensors: descriptors) { d in
                guard let i = position[ExactKey(d.name)] else { throw CLIError("internal: unknown tensor \(d.name)") }
                if i > 0 { src.evict(src.descriptors[i - 1].name) }  // the previous tensor has been written by now
                return try prepare(i).1
            }
        }
        var st = stat()
        if stat(out, &st) == 0 { report.outputBytes = Int(st.st_size) }
        return report
    }

    /// One tensor through the plan: quantize, keep (cast by `--dtype` / `--type-for`), or dequantize for an output
    /// without block types.
    static func transform(_ d: TensorDescriptor, _ input: TensorBuffer, options: ConvertOptions, format: OutputFormat,
                          path: String) throws -> (TensorLayout, TensorBuffer, Row) {
        let l = d.layout
        var decision = options.quant?.decide(d) ?? .keep(reason: "", cast: nil)
        if case let .quantize(t, g, note) = decision {
            let q = QuantizeOptions(dtype: t, groupSize: g, method: options.method)
            do {
                let layout = try TensorLayout(name: d.name, dtype: t, shape: l.shape, groupSize: g)
                let (blocks, err) = try withPath(path) { try BlockCodec.withFloats(input, layout: l, name: d.name) { values in
                    try Quantizer.quantizeMeasured(values, shape: l.shape, name: d.name, options: q)
                } }
                let requant = l.dtype.isBlockQuantized ? "requantized from \(l.dtype.rawValue)" : nil
                let note = [note, requant].compactMap { $0 }.joined(separator: "; ")
                return (layout, blocks, Row(name: d.name, shape: l.shape, from: l, to: layout, note: note.isEmpty ? nil : note, error: err))
            } catch let QuantizationError.scaleOverflow(_, group, _) {
                // A group too large for an f16 scale: this tensor stays float, visibly.
                decision = .keep(reason: "scale of group \(group) overflows f16", cast: nil)
            } catch {
                throw FileError(path: path, error)
            }
        }
        guard case let .keep(reason, cast) = decision else { throw CLIError("internal: no decision for \(d.name)") }
        let target = cast ?? options.dtype
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
        return (layout, buffer, Row(name: d.name, shape: l.shape, from: l, to: layout, note: reason.isEmpty ? nil : reason, error: nil))
    }

    /// The layout a tensor gets in an output without block types (no quantization possible there).
    static func exportLayout(_ d: TensorDescriptor, dtype: DType?) throws -> TensorLayout {
        let l = d.layout
        var t = l.dtype
        if l.dtype.isBlockQuantized { t = dtype ?? .f32 } else if let dt = dtype, l.dtype.isFloat { t = dt }
        return t == l.dtype ? l : try TensorLayout(name: d.name, dtype: t, shape: l.shape, groupSize: nil)
    }
}
