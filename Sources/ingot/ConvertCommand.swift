import ArgumentParser
import IngotFormat
import IngotInterop

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert between formats, cast float tensors and compress.",
        discussion: "The output format follows OUT's extension: .ingot or .safetensors.")

    @Argument(help: "The source file.") var source: String
    @Option(name: .shortAndLong, help: "The output file (.ingot or .safetensors).") var output: String
    @Option(help: "Cast float tensors to f32, f16 or bf16 (round to nearest even; NaN/Inf kept).") var dtype: String?
    @Option(help: "Compress an .ingot output: zstd or zstd:LEVEL. Tensors that do not shrink stay raw.") var compress: String?
    @Option(help: "Decoded bytes per compressed chunk.") var chunkSize: Int = Limits.defaultChunkBytes
    @Flag(help: "Overwrite OUT if it exists.") var force = false

    func run() throws {
        var options = ConvertOptions()
        if let dtype {
            guard let t = DType(rawValue: dtype), [.f32, .f16, .bf16].contains(t) else {
                throw CLIError("--dtype must be f32, f16 or bf16 (got \(quoted(dtype)))")
            }
            options.dtype = t
        }
        if let compress {
            var c = try CompressionOptions.parse(compress)
            guard chunkSize > 0, chunkSize <= Limits.maxChunkBytes else {
                throw CLIError("--chunk-size must be in 1...\(Limits.maxChunkBytes)")
            }
            c.chunkBytes = chunkSize
            options.compression = c
        }
        options.overwrite = force
        let summary = try Converter.convert(source: source, to: output, options: options)
        print(summary.text)
    }
}
