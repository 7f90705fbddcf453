import ArgumentParser
import IngotFormat
import IngotKit
import IngotQuant

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert between formats, cast float tensors and compress.",
        discussion: """
            The output format follows OUT's extension: .ingot, .safetensors or .gguf. An OUT ending in / (or an existing \
            directory) is a Hugging Face directory: model.safetensors plus config, tokenizer and sentence-transformers \
            files rebuilt from the source's metadata.
            --quantize quantizes 2-D float weight matrices (never 1-D norms/biases or integer tensors) and prints a \
            per-tensor table; --keep and --type-for adjust that per tensor (first matching rule wins).
            """)

    @Argument(help: "The source file.") var source: String
    @Option(name: .shortAndLong, help: "The output file (.ingot, .safetensors or .gguf) or directory (DIR/).") var output: String
    @Option(help: "Cast float tensors (round to nearest even; NaN/Inf kept).") var dtype: CastType?
    @Option(help: "Compress an .ingot output: zstd or zstd:LEVEL. Tensors that do not shrink stay raw.",
            transform: CompressionOptions.parse)
    var compress: CompressionOptions?
    @Option(help: "Decoded bytes per compressed chunk (default \(Limits.defaultChunkBytes); with --compress).") var chunkSize: Int?
    @Option(help: "Quantize 2-D weights (.ingot output).") var quantize: QuantType?
    @Option(help: "Group size along the last axis (default 32; with --quantize).") var groupSize: GroupSize?
    @Option(help: "ref (bit-exact with ggml's reference quantizers) or search (least error, the default).") var method: QuantMethod?
    @Option(help: "Leave tensors whose name matches REGEX in their float type (repeatable).") var keep: [String] = []
    @Option(name: .customLong("type-for"), help: "REGEX=TYPE: give matching tensors TYPE (q8_0, q4_0, q4_1, f32, f16, bf16; repeatable).",
            transform: TypeOverride.init(parsing:))
    var typeFor: [TypeOverride] = []
    @Flag(help: "Overwrite OUT if it exists.") var force = false
    @Flag(help: "Write a .gguf even when the model has no tokenizer (llama.cpp cannot load it).") var allowNoTokenizer = false
    @OptionGroup var show: OutputOptions

    func validate() throws {
        if quantize == nil {
            let given = [("--keep", !keep.isEmpty), ("--type-for", !typeFor.isEmpty), ("--group-size", groupSize != nil), ("--method", method != nil)]
            if let flag = given.first(where: \.1)?.0 { throw ValidationError("\(flag) needs --quantize") }
        }
        if let chunkSize {
            guard compress != nil else { throw ValidationError("--chunk-size needs --compress") }
            guard (1...Limits.maxChunkBytes).contains(chunkSize) else { throw ValidationError("--chunk-size must be in 1…\(Limits.maxChunkBytes)") }
        }
        _ = try policy()
    }

    /// The quantization policy, or a usage error (a bad regular expression).
    func policy() throws -> QuantPolicy? {
        guard let quantize else { return nil }
        do {
            return try QuantPolicy(dtype: quantize.dtype, groupSize: (groupSize ?? .g32).value, keep: keep, overrides: typeFor)
        } catch {
            throw ValidationError("--keep/--type-for: \(error)")
        }
    }

    func run() throws {
        var compression = compress
        if let chunkSize { compression?.chunkBytes = chunkSize }
        var request = ConvertRequest(source: source, output: output, dtype: dtype?.dtype, compression: compression,
                                     quantize: try policy(), method: method ?? .search, overwrite: force)
        request.allowNoTokenizer = allowNoTokenizer
        let report = try ProgressLine.during("convert") { try Converter.convert(request, progress: $0) }
        for w in report.warnings { warn(w) }
        show.print(report)
    }
}
