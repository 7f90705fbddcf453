import IngotFamilies
import IngotFormat

/// A GGUF file seen in Ingot's canonical layout (specs/canonical.md): for a llama or qwen2 file, Hugging Face tensor
/// names and `ingot.*` metadata, with llama's q/k rows put back in Hugging Face order; for any other architecture,
/// the file's own names and pairs, untouched.
///
/// - Tensors: GGUF names → canonical names (§3), GGUF file order kept. `output.weight` becomes `lm_head.weight` (none
///   when the embeddings are tied). llama's `attn_q`/`attn_k` weights and biases are un-permuted per head (k with
///   the kv head count) by moving whole rows, so blocks (Q8_0…Q6_K) are copied, never requantized. Tensors with no canonical
///   name keep their GGUF name (with a warning).
/// - `rope_freqs.weight` (llama-3 rope scaling) is not a tensor of the canonical layout: its parameters go to
///   `ingot.config.rope_scaling` when recomputing them gives the stored factors back; when that is only
///   approximate or impossible, the exact factors are also kept as `ingot.gguf["gguf.rope_freqs"]`.
/// - `ingot.config` from the `<arch>.*` keys, `ingot.tokenizer` from the `tokenizer.*` keys (`GGUFTokenizer`).
/// - `ingot.gguf` holds every pair in file order, typed as `GGUFMetadata` does (`gguf.value_types` last, covering
///   all of them). A pair that `ingot.config` / `ingot.tokenizer` reproduce exactly is null there — its value lives
///   in those objects — so `GGUFExport` rebuilds the same pairs, in the same order, with the same types and bits.
///
/// The config comes from the file and is untrusted: head counts are checked against every q/k tensor's rows before
/// a permutation is planned, and opening fails with a `GGUFCanonicalError` when they disagree.
public final class CanonicalGGUFSource: TensorSource, Sendable {
    public let gguf: GGUFFile
    public let metadata: JSONObject
    public let descriptors: [TensorDescriptor]
    /// What a user should know: an unmapped architecture or tensor, rope factors kept raw.
    public let warnings: [String]
    /// llama or qwen2; nil when the architecture has no canonical mapping and everything is passed through.
    public let family: (any ModelFamily)?
    private let entries: [ExactKey: Entry]

    public var path: String { gguf.path }
    public var formatName: String { "gguf" }

    /// The `ingot.gguf` entry holding the exact `rope_freqs.weight` factors when they are kept.
    public static let ropeFreqsKey = "gguf.rope_freqs"

    struct Entry: Sendable {
        let ggufName: String
        let permutation: RowPermutation?
        let rowBytes: Int
    }

    public convenience init(path: String) throws {
        try self.init(try GGUFFile(path: path))
    }

    public init(_ file: GGUFFile) throws {
        let built: Built
        do { built = try Built(file) } catch { throw FileError(path: file.path, error) }
        gguf = file
        metadata = built.metadata
        descriptors = built.descriptors
        warnings = built.warnings
        family = built.family
        entries = built.entries
    }

    public func load(_ name: String) throws -> TensorBuffer {
        guard let e = entries[ExactKey(name)] else { throw FileError(path: path, IngotError.noSuchTensor(name)) }
        let raw = try gguf.load(e.ggufName)
        guard let p = e.permutation else { return raw }
        return try withPath(path) { try p.apply(.toHF, to: raw, rowBytes: e.rowBytes) }
    }

    public var sourceFiles: [(shown: String, path: String)] { gguf.sourceFiles }

    public func sourceFile(of name: String) -> String? { entries[ExactKey(name)].flatMap { gguf.sourceFile(of: $0.ggufName) } }

    /// Releases the mapped pages of the GGUF tensor behind `name` (un-permuted tensors are copies: their source
    /// pages are not needed once the copy exists).
    public func evict(_ name: String) {
        guard let e = entries[ExactKey(name)] else { return }
        gguf.evict(e.ggufName)
    }

    /// Everything `init` computes, built before any stored property is set.
    private struct Built {
        var metadata = JSONObject()
        var descriptors: [TensorDescriptor] = []
        var warnings: [String] = []
        var family: (any ModelFamily)? = nil
        var entries: [ExactKey: Entry] = [:]

        init(_ g: GGUFFile) throws(GGUFCanonicalError) {
            let arch = g.value(forKey: "general.architecture")?.stringValue
            // gpt2 GGUF files store transposed, fused tensors that need more than renaming: not mapped (yet).
            guard let arch, let family = ModelFamilies.named(arch), let names = family.gguf else {
                passThrough(g, arch: arch)
                return
            }
            self.family = family
            var config = try GGUFCanonicalConfig(gguf: g, arch: arch, keys: names.keys)
            let heads = config.numHeads ?? 0, kvHeads = config.numKVHeads ?? heads

            var hasOutput = false, hasQBias = false
            var ropeFactors: [Float]? = nil
            for (info, d) in zip(g.tensorInfos, g.descriptors) {
                if sameScalars(info.name, GGUFCanonicalNames.ropeFreqs), d.layout.dtype == .f32, d.layout.shape.count == 1,
                    let b = try? g.load(info.name)
                {
                    // loadUnaligned: a file may declare an alignment below 4.
                    ropeFactors = b.withBytes { raw in
                        (0..<raw.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
                    }
                    continue
                }
                var name = info.name
                var permutation: RowPermutation? = nil, rowBytes = 0
                if let m = names.canonical(fromGGUF: info.name) {
                    name = m.name
                    if m.name == "lm_head.weight" { hasOutput = true }
                    if m.role == .q, m.name.hasSuffix(".bias") { hasQBias = true }
                    if names.permutesQK, let role = m.role {
                        (permutation, rowBytes) = try GGUFCanonicalNames.qkPermutation(
                            d, name: info.name, heads: role == .q ? heads : kvHeads, headDim: config.headDim)
                    }
                } else {
                    warnings.append("tensor \(quoted(info.name)) has no canonical name: kept under its GGUF name")
                }
                guard entries[ExactKey(name)] == nil else { throw .duplicateTensor(name) }
                entries[ExactKey(name)] = Entry(ggufName: info.name, permutation: permutation, rowBytes: rowBytes)
                descriptors.append(TensorDescriptor(name: name, layout: d.layout))
            }

            var keepFactors = false
            if let factors = ropeFactors {
                let ropeDims = (g.value(forKey: arch + "." + names.keys.ropeDimensionCount)?.integerValue).flatMap { Int(exactly: $0) }
                switch Llama3RopeFactors.invert(factors, theta: config.ropeTheta, headDim: ropeDims ?? config.headDim ?? 0,
                                                contextLength: config.maxPositions) {
                case let .exact(p):
                    config.rope = .llama3(p)
                case let .approximate(p):
                    config.rope = .llama3(p)
                    keepFactors = true
                case .none:
                    config.rope = .none
                    keepFactors = true
                    warnings.append("rope_freqs.weight matches no llama-3 rope scaling: its factors are kept in ingot.gguf (\(CanonicalGGUFSource.ropeFreqsKey)) and ingot.config.rope_scaling is null")
                }
            }

            let tokenizer = GGUFTokenizer.json(from: g)
            let configJSON = config.json(tied: !hasOutput, attentionBias: family.defaults.attentionBias || hasQBias,
                                         bos: tokenizer["bos_token_id"] ?? .null, eos: tokenizer["eos_token_id"] ?? .null)
            // Generate the pairs from what export will read — the JSON config itself — so that a pair left out of
            // ingot.gguf is exactly one export gives back.
            let reread = try GGUFCanonicalConfig(config: configJSON, hfConfig: nil)
            var types = g.metadata[GGUFMetadata.typesKey]?.objectValue ?? JSONObject()
            let fileType = GGUFCanonicalKeyValues.fileType(of: descriptors.compactMap { d in
                GGUFTensorType.storing(d.layout.dtype, groupSize: d.layout.groupSize).map { ($0, d.layout.shape.count) }
            })
            let generated = GGUFCanonicalKeyValues.generate(
                family: family, config: reread, fileType: fileType,
                tokenizer: GGUFTokenizer.keyValues(fromGGUFForm: tokenizer), types: types)
            var byKey: [ExactKey: GGUFValue] = [:]
            for kv in generated { byKey[ExactKey(kv.key)] = kv.value }

            var pairs = JSONObject()
            for kv in g.keyValues {
                pairs[kv.key] = byKey[ExactKey(kv.key)] == kv.value ? .null : GGUFMetadata.json(kv.value)
            }
            if keepFactors, let factors = ropeFactors {
                guard g.value(forKey: CanonicalGGUFSource.ropeFreqsKey) == nil else {
                    throw .reservedKey(CanonicalGGUFSource.ropeFreqsKey)
                }
                let value = GGUFValue.array(.float32(factors))
                pairs[CanonicalGGUFSource.ropeFreqsKey] = GGUFMetadata.json(value)
                types[CanonicalGGUFSource.ropeFreqsKey] = GGUFMetadata.typeAnnotation(value)
            }
            pairs[GGUFMetadata.typesKey] = .object(types)

            metadata["ingot.architecture"] = .string(arch)
            metadata["ingot.config"] = .object(configJSON)
            if !tokenizer.isEmpty { metadata["ingot.tokenizer"] = .object(tokenizer) }
            metadata["ingot.gguf"] = .object(pairs)
            if case let .unsupported(t) = config.rope { warnings.append("rope scaling \(quoted(t)) is not mapped") }
        }

        /// An architecture without a canonical mapping: names and pairs exactly as in the file.
        private mutating func passThrough(_ g: GGUFFile, arch: String?) {
            metadata["ingot.architecture"] = .string(arch ?? "unknown")
            metadata["ingot.gguf"] = .object(g.metadata)
            warnings.append("architecture \(arch.map(quoted) ?? "(none)") has no canonical layout: tensor names and key/values kept as in the GGUF file")
            for d in g.descriptors {
                entries[ExactKey(d.name)] = Entry(ggufName: d.name, permutation: nil, rowBytes: 0)
                descriptors.append(d)
            }
        }
    }
}
