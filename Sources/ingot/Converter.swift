import IngotFormat
import IngotInterop
#if canImport(Glibc)
import Glibc
#endif

struct ConvertOptions {
    var dtype: DType?
    var compression: CompressionOptions?
    var overwrite = false
}

/// Source → (cast) → Ingot or safetensors, one tensor in memory at a time.
enum Converter {
    enum OutputFormat {
        case ingot, safetensors

        init(path: String) throws {
            if path.hasSuffix(".ingot") { self = .ingot }
            else if path.hasSuffix(".safetensors") { self = .safetensors }
            else { throw CLIError("\(path): cannot tell the output format (use a .ingot or .safetensors extension)") }
        }
    }

    struct Summary {
        var tensors = 0
        var bytes = 0
        var outputBytes = 0
        var path = ""
        var text: String {
            "wrote \(path): \(tensors) tensors, \(Fmt.bytes(bytes)) of tensor data, file \(Fmt.bytes(outputBytes))"
                + (bytes > 0 ? " (\(Fmt.fixed(100 * Double(outputBytes) / Double(bytes), 1))%)" : "")
        }
    }

    static func convert(source path: String, to out: String, options: ConvertOptions) throws -> Summary {
        let format = try OutputFormat(path: out)
        if !options.overwrite, access(out, F_OK) == 0 {
            throw CLIError("\(out): already exists (use --force to overwrite)")
        }
        if options.compression != nil, format != .ingot {
            throw CLIError("--compress needs an .ingot output (safetensors has no compression)")
        }
        let src = try openTensorSource(path: path)
        let descriptors = try src.descriptors.map { try castDescriptor($0, to: options.dtype) }
        var progress = Progress(total: descriptors.count, label: "convert")
        defer { progress.finish() }
        var summary = Summary(tensors: descriptors.count, bytes: descriptors.reduce(0) { $0 + $1.layout.byteCount }, path: out)
        func loadCast(_ i: Int) throws -> TensorBuffer {
            let d = src.descriptors[i]
            progress.update(i + 1, d.name)
            let b = try src.load(d.name)
            guard let t = options.dtype, d.layout.dtype.isFloat, d.layout.dtype != t else { return b }
            return try withPath(path) { try b.withBytes { try FloatConversion.cast($0, from: d.layout.dtype, to: t) } }
        }
        switch format {
        case .ingot:
            let w = try IngotWriter(path: out, options: IngotWriter.Options(compression: options.compression), metadata: src.metadata)
            for (i, d) in descriptors.enumerated() {
                let b = try loadCast(i)
                try b.withBytes { try w.add(name: d.name, layout: d.layout, bytes: $0) }
            }
            try w.finish()
        case .safetensors:
            var position: [ExactKey: Int] = [:]
            for (i, d) in descriptors.enumerated() { position[ExactKey(d.name)] = i }
            try SafetensorsWriter.write(path: out, metadata: src.metadata, tensors: descriptors) { d in
                guard let i = position[ExactKey(d.name)] else { throw CLIError("internal: unknown tensor \(d.name)") }
                return try loadCast(i)
            }
        }
        var st = stat()
        if stat(out, &st) == 0 { summary.outputBytes = Int(st.st_size) }
        return summary
    }

    /// The descriptor after `--dtype`: float tensors change type, others are kept.
    static func castDescriptor(_ d: TensorDescriptor, to t: DType?) throws -> TensorDescriptor {
        guard let t, d.layout.dtype.isFloat, d.layout.dtype != t else { return d }
        return TensorDescriptor(name: d.name, layout: try TensorLayout(name: d.name, dtype: t, shape: d.layout.shape, groupSize: nil))
    }
}
