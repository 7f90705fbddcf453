import IngotFamilies
import IngotFormat

/// What `GGUFExport` writes for a canonical model, decided from its metadata and descriptors before any tensor is
/// read: the pairs, and per output tensor its GGUF name, layout and how its bytes are made.
struct GGUFCanonicalExportPlan {
    /// One output tensor: read `sourceName`, make it f32 when asked (exact: dequantized blocks or widened floats),
    /// then reorder q/k rows — or write `factors` (rope_freqs.weight, made here).
    struct Tensor {
        let descriptor: TensorDescriptor
        let sourceName: String
        let sourceLayout: TensorLayout
        var toF32 = false
        var permutation: RowPermutation? = nil
        var factors: [Float]? = nil
    }

    var keyValues: [GGUFKeyValue] = []
    var tensors: [Tensor] = []
    var warnings: [String] = []

    init(source: any TensorSource, allowNoTokenizer: Bool = false) throws {
        let meta = source.metadata
        let arch = meta["ingot.architecture"]?.stringValue
        let pairs = meta["ingot.gguf"]?.objectValue
        guard let arch, let family = ModelFamilies.named(arch), let ggufNames = family.gguf else {
            // Another architecture can only go back to GGUF the way it came: names and pairs untouched.
            guard let pairs else { throw GGUFCanonicalError.unsupportedArchitecture(arch) }
            keyValues = try GGUFMetadata.keyValues(from: Self.values(pairs))
            tensors = source.descriptors.map { Tensor(descriptor: $0, sourceName: $0.name, sourceLayout: $0.layout) }
            return
        }
        guard let configJSON = meta["ingot.config"]?.objectValue else { throw GGUFCanonicalError.missingKey("ingot.config") }
        let config = try GGUFCanonicalConfig(config: configJSON, hfConfig: meta["ingot.hf_config"]?.objectValue)
        let (heads, kvHeads, headDim) = try config.checkedForExport()
        if case let .unsupported(t) = config.rope {
            warnings.append("rope scaling \(quoted(t)) has no GGUF keys here: written without it, llama.cpp will run unscaled rope")
        }

        var names = Set<ExactKey>()
        for d in source.descriptors {
            if GGUFCanonicalNames.isDroppedBuffer(d.name) { continue }
            var name = d.name
            var permutation: RowPermutation? = nil
            if let m = ggufNames.gguf(fromCanonical: d.name) {
                name = m.name
                if ggufNames.permutesQK, let role = m.role {
                    permutation = try GGUFCanonicalNames.qkPermutation(
                        d, name: d.name, heads: role == .q ? heads : kvHeads, headDim: headDim).0
                }
            } else if ggufNames.looksCanonical(d.name) {
                throw GGUFCanonicalError.unmappedTensor(d.name)
            }
            // Anything else is a GGUF name a GGUF source carried through (CanonicalGGUFSource keeps those).
            guard names.insert(ExactKey(name)).inserted else { throw GGUFCanonicalError.duplicateTensor(name) }
            let l = d.layout
            var toF32 = false
            if l.dtype.isBlockQuantized, GGUFTensorType.storing(l.dtype, groupSize: l.groupSize) == nil || l.shape.count != 2 {
                // GGUF has no block type for these: the exact floats the blocks stand for, never re-rounded.
                toF32 = true
                warnings.append("tensor \(quoted(d.name)): \(l.dtype) with group size \(l.groupSize ?? 0)\(l.shape.count == 2 ? "" : " on a \(l.shape.count)-D tensor") has no GGUF block type: written as its exact f32 values")
            } else if Self.mustBeF32(name: name, rank: l.shape.count), l.dtype == .f16 || l.dtype == .bf16 {
                // llama.cpp's converter writes every 1-D tensor (norms, biases) and every norm weight as F32, and its
                // kernels expect it (an F16 norm aborts the first token: "binary_op: unsupported types"). Widening
                // is exact. A GGUF source written by llama.cpp already has F32 there, so its round trip is unchanged.
                toF32 = true
            }
            let layout = toF32 ? try TensorLayout(name: name, dtype: .f32, shape: l.shape, groupSize: nil) : l
            tensors.append(Tensor(descriptor: TensorDescriptor(name: name, layout: layout), sourceName: d.name,
                                  sourceLayout: l, toF32: toF32, permutation: permutation))
        }

        // llama-3 rope scaling: the converter writes rope_freqs.weight first. A GGUF source's exact factors win over
        // recomputing them.
        if !names.contains(ExactKey(GGUFCanonicalNames.ropeFreqs)) {
            var factors: [Float]? = nil
            if let kept = pairs?[CanonicalGGUFSource.ropeFreqsKey] {
                let typed = try GGUFMetadata.keyValues(from: JSONObject([
                    (CanonicalGGUFSource.ropeFreqsKey, kept),
                    (GGUFMetadata.typesKey, .object(JSONObject([(CanonicalGGUFSource.ropeFreqsKey, .string("[f32]"))]))),
                ]))
                if case let .array(.float32(f))? = typed.first?.value { factors = f }
            } else if case let .llama3(p) = config.rope {
                factors = p.factors(theta: config.ropeTheta, headDim: headDim)
            }
            if let f = factors {
                let layout = try TensorLayout(name: GGUFCanonicalNames.ropeFreqs, dtype: .f32, shape: [f.count], groupSize: nil)
                tensors.insert(Tensor(descriptor: TensorDescriptor(name: GGUFCanonicalNames.ropeFreqs, layout: layout),
                                      sourceName: GGUFCanonicalNames.ropeFreqs, sourceLayout: layout, factors: f), at: 0)
            }
        }

        let tokenizer = meta["ingot.tokenizer"]?.objectValue
        var tokenizerPairs: [GGUFKeyValue] = []
        if let t = tokenizer, GGUFTokenizer.isGGUFForm(t) {
            tokenizerPairs = GGUFTokenizer.keyValues(fromGGUFForm: t)
        } else if let t = tokenizer {
            tokenizerPairs = try GGUFTokenizer.keyValues(fromHF: t, modelConfig: configJSON,
                                                         hfConfig: meta["ingot.hf_config"]?.objectValue,
                                                         vocabSize: config.vocabSize, warnings: &warnings)
        } else if pairs?["tokenizer.ggml.model"] == nil {
            // llama.cpp refuses to load a model without tokenizer.ggml.* keys: an error, unless the caller accepts
            // a file only other tools can read.
            guard allowNoTokenizer else { throw GGUFCanonicalError.noTokenizer }
            warnings.append("no tokenizer: the GGUF has no tokenizer.ggml.* keys, which llama.cpp needs to load it")
        }

        // A llama.cpp mix names its own file type (Q4_K_M is 15 although most of SmolLM2's tensors fall back to
        // Q5_0); otherwise the most common 2-D type decides, as convert_hf_to_gguf.py's --outtype does.
        let mixType = meta[GGUFCanonicalKeyValues.quantizationKey]?.objectValue?["file_type"]?.intValue.flatMap { UInt32(exactly: $0) }
        let fileType = mixType ?? GGUFCanonicalKeyValues.fileType(of: tensors.compactMap { t in
            let l = t.descriptor.layout
            return GGUFTensorType.storing(l.dtype, groupSize: l.groupSize).map { ($0, l.shape.count) }
        })
        let types = pairs?[GGUFMetadata.typesKey]?.objectValue ?? JSONObject()
        let generated = GGUFCanonicalKeyValues.generate(family: family, config: config, fileType: fileType,
                                                        tokenizer: tokenizerPairs, types: types)
        // llama-quantize's record of the importance matrix it used (replacing one a requantized source carried).
        let imatrixPairs = Self.imatrixPairs(meta)
        defer {
            let replaced = Set(imatrixPairs.map { ExactKey($0.key) })
            keyValues = keyValues.filter { !replaced.contains(ExactKey($0.key)) } + imatrixPairs
        }
        guard let pairs else {
            keyValues = generated
            return
        }
        // A GGUF source: its pairs, in its order — kept values as they are, null marks filled from the generated ones.
        var byKey: [ExactKey: GGUFValue] = [:]
        for kv in generated { byKey[ExactKey(kv.key)] = kv.value }
        var kept: [ExactKey: GGUFValue] = [:]
        for kv in try GGUFMetadata.keyValues(from: Self.values(pairs)) { kept[ExactKey(kv.key)] = kv.value }
        for (key, value) in pairs where !Self.isReserved(key) {
            if value == .null {
                if let v = byKey[ExactKey(key)] {
                    keyValues.append(GGUFKeyValue(key, v))
                } else {
                    warnings.append("key \(quoted(key)) came from ingot.config / ingot.tokenizer, which no longer give it: left out")
                }
            } else if let v = kept[ExactKey(key)] {
                keyValues.append(GGUFKeyValue(key, v))
            }
        }
    }

    /// `quantize.imatrix.file` / `.dataset` / `.entries_count` / `.chunks_count`, as llama-quantize writes them, from
    /// the `imatrix` object of the conversion's `ingot.quantization` entry.
    static func imatrixPairs(_ meta: JSONObject) -> [GGUFKeyValue] {
        guard let m = meta[GGUFCanonicalKeyValues.quantizationKey]?.objectValue?["imatrix"]?.objectValue else { return [] }
        var out: [GGUFKeyValue] = []
        if let f = m["file"]?.stringValue { out.append(GGUFKeyValue("quantize.imatrix.file", .string(f))) }
        if let d = m["dataset"]?.stringValue { out.append(GGUFKeyValue("quantize.imatrix.dataset", .string(d))) }
        if let n = m["entries"]?.intValue, let v = UInt32(exactly: n) { out.append(GGUFKeyValue("quantize.imatrix.entries_count", .uint32(v))) }
        if let n = m["chunks"]?.intValue, n > 0, let v = UInt32(exactly: n) { out.append(GGUFKeyValue("quantize.imatrix.chunks_count", .uint32(v))) }
        return out
    }

    /// The tensors llama.cpp needs in F32 whatever the model's type: 1-D ones (norms, biases) and norm weights
    /// (convert_hf_to_gguf.py's rule).
    static func mustBeF32(name: String, rank: Int) -> Bool { rank <= 1 || name.hasSuffix("_norm.weight") }

    /// Ingot's own entries inside `ingot.gguf`, which are not pairs.
    static func isReserved(_ key: String) -> Bool {
        sameScalars(key, GGUFMetadata.typesKey) || sameScalars(key, CanonicalGGUFSource.ropeFreqsKey)
    }

    /// The kept pairs of `ingot.gguf` with their types: null marks and the rope factors left out.
    static func values(_ pairs: JSONObject) -> JSONObject {
        var out = JSONObject()
        for (k, v) in pairs where v != .null && !sameScalars(k, CanonicalGGUFSource.ropeFreqsKey) { out[k] = v }
        return out
    }

    /// The bytes of one output tensor.
    func load(_ t: Tensor, from source: any TensorSource) throws -> TensorBuffer {
        if let f = t.factors { return f.withUnsafeBytes { TensorBuffer(copying: $0) } }
        var b = try source.load(t.sourceName)
        try withPath(source.path) {
            if t.toF32 {
                let l = t.sourceLayout
                guard b.count == l.byteCount else {
                    throw IngotError.unsupported("tensor \(quoted(t.sourceName)): \(b.count) bytes, its layout needs \(l.byteCount)")
                }
                b = l.dtype.isBlockQuantized
                    ? try BlockCodec.floatBuffer(b, layout: l, name: t.sourceName)
                    : try b.withBytes { try FloatConversion.cast($0, from: l.dtype, to: .f32) }
            }
            if let p = t.permutation {
                // Output bytes are rows × row bytes exactly (blocks and floats alike lie within rows).
                b = try p.apply(.toGGUF, to: b, rowBytes: p.rows == 0 ? 0 : t.descriptor.layout.byteCount / p.rows)
            }
        }
        return b
    }
}
