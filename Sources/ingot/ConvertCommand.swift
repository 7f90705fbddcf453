import ArgumentParser
import IngotFormat
import IngotInterop
import IngotQuant

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert between formats, cast float tensors and compress.",
        discussion: """
            The output format follows OUT's extension: .ingot, .safetensors or .gguf.
            --quantize quantizes 2-D float weight matrices (never 1-D norms/biases or integer tensors) and prints a \
            per-tensor table; --keep and --type-for adjust that per tensor (first matching rule wins).
            """)

    @Argument(help: "The source file.") var source: String
    @Option(name: .shortAndLong, help: "The output file (.ingot, .safetensors or .gguf).") var output: String
    @Option(help: "Cast float tensors to f32, f16 or bf16 (round to nearest even; NaN/Inf kept).") var dtype: String?
    @Option(help: "Compress an .ingot output: zstd or zstd:LEVEL. Tensors that do not shrink stay raw.") var compress: String?
    @Option(help: "Decoded bytes per compressed chunk.") var chunkSize: Int = Limits.defaultChunkBytes
    @Option(help: "Quantize 2-D weights: q8_0, q4_0 or q4_1 (.ingot output).") var quantize: String?
    @Option(help: "Group size along the last axis: 32, 64, 128, 256 or row.") var groupSize: String = "32"
    @Option(help: "ref (bit-exact with ggml's reference quantizers) or search (least error).") var method: String = "search"
    @Option(help: "Leave tensors whose name matches REGEX in their float type (repeatable).") var keep: [String] = []
    @Option(name: .customLong("type-for"), help: "REGEX=TYPE: give matching tensors TYPE (q8_0, q4_0, q4_1, f32, f16, bf16; repeatable).")
    var typeFor: [String] = []
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
        if let quantize {
            guard let t = DType(rawValue: quantize), t.isBlockQuantized else {
                throw CLIError("--quantize must be q8_0, q4_0 or q4_1 (got \(quoted(quantize)))")
            }
            guard let m = QuantMethod(rawValue: method) else { throw CLIError("--method must be ref or search") }
            let g = groupSize == "row" ? QuantPolicy.wholeRow : Int(groupSize) ?? -1
            options.quant = try QuantPolicy(dtype: t, groupSize: g, keep: keep, typeFor: typeFor)
            options.method = m
        } else if !keep.isEmpty || !typeFor.isEmpty {
            throw CLIError("--keep and --type-for need --quantize")
        }
        print(try Converter.convert(source: source, to: output, options: options).text)
    }
}
