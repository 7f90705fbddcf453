import ArgumentParser
import IngotFormat
import IngotInterop
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
            per-tensor table with each tensor's type and why. A llama.cpp mix (q2_k, q3_k_s/m/l, q4_k_s/m, q5_k_s/m, \
            q6_k) picks per-tensor types by llama-quantize's rules (more bits for the output head, attn_v and ffn_down \
            in chosen layers; q5_0/q5_1/q8_0/iq4_nl for rows that are not whole 256-element super-blocks); a block type \
            (q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl) is used for every quantizable tensor. --keep and --type-for adjust \
            that per tensor (first matching rule wins). --imatrix weights the quantizers' error by an importance \
            matrix (ingot calibrate, or llama-imatrix's file). Output: .ingot, or .gguf (GGUF's block types).
            --max-shard-size cuts the output into files of at most SIZE tensor bytes (5GB, 500MB, 2GiB): -o DIR/model.ingot \
            (or -o DIR/ --format ingot) writes model-00001-of-0000N.ingot … and model.ingot.index.json; -o DIR/ writes a \
            Hugging Face directory with model-0000x-of-0000N.safetensors and model.safetensors.index.json; -o X.gguf writes \
            llama.cpp's split GGUF (X-00001-of-0000N.gguf). --part K/N writes only part K's shards (a deterministic \
            assignment by tensor order and size) for job arrays; ingot index DIR then writes the index. --part env/N takes \
            K from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) or SLURM_ARRAY_TASK_ID (Slurm arrays).
            """)

    @Argument(help: "The source file.") var source: String
    @Option(name: .shortAndLong, help: "The output file (.ingot, .safetensors or .gguf) or directory (DIR/).") var output: String
    @Option(help: "Cast float tensors (round to nearest even; NaN/Inf kept).") var dtype: CastType?
    @Option(help: "Compress an .ingot output: zstd or zstd:LEVEL. Tensors that do not shrink stay raw.",
            transform: CompressionOptions.parse)
    var compress: CompressionOptions?
    @Option(help: "Decoded bytes per compressed chunk (default \(Limits.defaultChunkBytes); with --compress).") var chunkSize: Int?
    @Option(help: ArgumentHelp("Quantize 2-D weights (.ingot or .gguf output): a llama.cpp mix or one block type.",
                               valueName: "q4_k_m|q5_k_m|q6_k|…|q8_0|q4_0|q4_1|q5_0|q5_1|iq4_nl"))
    var quantize: QuantType?
    @Option(help: "Weight the quantizers by this importance matrix (GGUF imatrix or legacy .dat; with --quantize).") var imatrix: String?
    @Flag(help: "Quantize tensors the importance matrix lacks unweighted (with a warning) instead of failing.") var imatrixPartial = false
    @Option(help: "Group size along the last axis (default 32; with --quantize).") var groupSize: GroupSize?
    @Option(help: "ref (bit-exact with ggml's reference quantizers) or search (least error, the default).") var method: QuantMethod?
    @Option(help: "Leave tensors whose name matches REGEX in their float type (repeatable).") var keep: [String] = []
    @Option(name: .customLong("type-for"), help: "REGEX=TYPE: give matching tensors TYPE (a block type such as q4_k or q8_0, or f32, f16, bf16; repeatable).",
            transform: TypeOverride.init(parsing:))
    var typeFor: [TypeOverride] = []
    @Option(help: ArgumentHelp("Cut the output into shards of at most SIZE tensor bytes.", valueName: "SIZE"),
            transform: ShardSize.init(parsing:))
    var maxShardSize: ShardSize?
    @Option(help: ArgumentHelp("Write only part K of N of a sharded .ingot output (env/N: K from the job array's index).",
                               valueName: "K/N"), transform: PartOption.init(parsing:))
    var part: PartOption?
    @Flag(help: "Keep shards an earlier run completed (same plan, every checksum proven).") var resume = false
    @Option(help: ArgumentHelp("The output format for a directory OUT (default hf: a Hugging Face directory).", valueName: "ingot|gguf|hf"))
    var format: DirectoryFormat?
    @Flag(help: "Overwrite OUT if it exists.") var force = false
    @Flag(help: "Write a .gguf even when the model has no tokenizer (llama.cpp cannot load it).") var allowNoTokenizer = false
    @OptionGroup var show: OutputOptions

    func validate() throws {
        if quantize == nil {
            let given = [("--keep", !keep.isEmpty), ("--type-for", !typeFor.isEmpty), ("--group-size", groupSize != nil), ("--method", method != nil),
                         ("--imatrix", imatrix != nil), ("--imatrix-partial", imatrixPartial)]
            if let flag = given.first(where: \.1)?.0 { throw ValidationError("\(flag) needs --quantize") }
        }
        if let quantize, groupSize != nil, !quantize.hasFreeGroupSize {
            throw ValidationError("--group-size applies to q8_0, q4_0 and q4_1 only (the other types have fixed blocks)")
        }
        if part != nil || resume, maxShardSize == nil { throw ValidationError("--part and --resume need --max-shard-size") }
        if format != nil, maxShardSize == nil, format != .hf { throw ValidationError("--format \(format?.rawValue ?? "") needs --max-shard-size") }
        if imatrixPartial, imatrix == nil { throw ValidationError("--imatrix-partial needs --imatrix") }
        if imatrix != nil, method == .ref { throw ValidationError("--imatrix needs --method search (ref is ggml's unweighted reference)") }
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
            switch quantize {
            case let .uniform(t):
                return try QuantPolicy(dtype: t, groupSize: t.fixedGroupSize ?? (groupSize ?? .g32).value, keep: keep, overrides: typeFor)
            case let .recipe(r):
                return try QuantPolicy(recipe: r, keep: keep, overrides: typeFor)
            }
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
        request.maxShardBytes = maxShardSize?.bytes
        request.part = try part?.resolved()
        request.resume = resume
        request.format = format?.outputFormat
        if let imatrix {
            request.imatrix = (imatrix, try ImatrixFile.read(path: imatrix))
            request.imatrixHash = try ImatrixFile.hash(path: imatrix)
            request.imatrixPartial = imatrixPartial
        }
        let report = try ProgressLine.during("convert") { try Converter.convert(request, progress: $0) }
        for w in report.warnings { warn(w) }
        show.print(report)
    }
}
