import IngotFamilies
import IngotFormat

/// The GGUF pairs a canonical llama-family model implies: what `convert_hf_to_gguf.py` writes for it (TextModel +
/// LlamaModel `set_gguf_parameters`, in that order), generated from `ingot.config`, the tensor types and the
/// tokenizer pairs.
///
/// Import and export share this one function. Import keeps a GGUF pair out of `ingot.gguf` (marking it null) only
/// when `generate` gives it back with the same type and bits; export fills the null marks from `generate`. A round
/// trip therefore reproduces every pair by construction, and a pair this mapping does not understand stays in
/// `ingot.gguf` verbatim.
public enum GGUFCanonicalKeyValues {
    /// gguf-py's GGML_QUANT_VERSION, which the converter writes into every file.
    static let quantizationVersion: UInt32 = 2
    /// The alignment Ingot writes (GGUF's default, written explicitly).
    static let alignment: UInt32 = 32

    /// `types` (a `gguf.value_types` object) gives the type each key had in a GGUF source; values are converted to
    /// it when they fit, so a file that stored a head count as i32 gets an i32 back.
    static func generate(family: any ModelFamily, config c: GGUFCanonicalConfig, fileType: UInt32?,
                         tokenizer: [GGUFKeyValue], types: JSONObject) -> [GGUFKeyValue]
    {
        let a = family.name + "."
        let k = family.gguf?.keys ?? .llamaLayout
        var out: [GGUFKeyValue] = []
        func add(_ k: String, _ v: GGUFValue?) {
            if let v { out.append(GGUFKeyValue(k, retyped(v, types[k]))) }
        }
        func u32(_ v: Int?) -> GGUFValue? { v.flatMap(UInt32.init(exactly:)).map(GGUFValue.uint32) }
        // Floats are f32 in llama.cpp's files; a source that stored an f64 gets the config's double unrounded.
        func float(_ k: String, _ v: Double?) -> GGUFValue? {
            guard let v else { return nil }
            return types[k] == .string("f64") ? .float64(v) : .float32(Float(v))
        }
        add("general.architecture", .string(family.name))
        add("general.alignment", .uint32(alignment))
        add(a + k.blockCount, u32(c.numLayers))
        add(a + k.contextLength, u32(c.maxPositions))
        add(a + k.embeddingLength, u32(c.hiddenSize))
        add(a + k.feedForwardLength, u32(c.ffnSize))
        add(a + k.headCount, u32(c.numHeads))
        add(a + k.headCountKV, u32(c.numKVHeads))
        add(a + k.ropeFreqBase, float(a + k.ropeFreqBase, c.ropeTheta))
        add(a + k.normEps, float(a + k.normEps, c.normEps))
        add(a + k.keyLength, u32(c.headDim))
        add(a + "attention.value_length", u32(c.headDim))
        if case let .linear(f) = c.rope {
            add(a + k.ropeScalingType, .string("linear"))
            add(a + k.ropeScalingFactor, float(a + k.ropeScalingFactor, f))
        }
        add("general.file_type", fileType.map(GGUFValue.uint32))
        add(a + k.vocabSize, u32(c.vocabSize))
        add(a + k.ropeDimensionCount, u32(c.headDim))
        add("general.quantization_version", .uint32(quantizationVersion))
        for kv in tokenizer { add(kv.key, kv.value) }
        return out
    }

    /// llama.cpp's `general.file_type` (LlamaFileType) for the most common type among the 2-D tensors, as the
    /// converter's `--outtype` names the file; nil when it has no such type.
    /// Metadata a quantizing conversion adds: `{"recipe": "q4_k_m", "file_type": 15}` for a llama.cpp mix.
    public static let quantizationKey = "ingot.quantization"

    static func fileType(of types: [(GGUFTensorType, rank: Int)]) -> UInt32? {
        var counts: [GGUFTensorType: Int] = [:]
        var order: [GGUFTensorType] = []
        for (t, rank) in types where rank == 2 {
            if counts[t] == nil { order.append(t) }
            counts[t, default: 0] += 1
        }
        guard let top = order.max(by: { (counts[$0] ?? 0) < (counts[$1] ?? 0) }) else { return nil }
        switch top {
        case .f32: return 0
        case .f16: return 1
        case .q4_0: return 2
        case .q4_1: return 3
        case .q8_0: return 7
        // llama.cpp's ftype ids of the recipes these types dominate (its "_M" mixes for the K-quants).
        case .q5_0: return 8
        case .q5_1: return 9
        case .q2_K: return 10
        case .q3_K: return 12
        case .q4_K: return 15
        case .q5_K: return 17
        case .q6_K: return 18
        case .bf16: return 32
        default: return nil
        }
    }

    /// `v` converted to the type `annotation` names (a `GGUFMetadata` type annotation), when it is the same kind
    /// (integer, float, or array of one) and fits; otherwise `v` unchanged.
    static func retyped(_ v: GGUFValue, _ annotation: JSONValue?) -> GGUFValue {
        guard case let .string(name)? = annotation else { return v }
        if name.hasPrefix("["), name.hasSuffix("]"), case let .array(arr) = v,
            let t = GGUFValueType(name: String(name.dropFirst().dropLast()))
        {
            if arr.elementType == t { return v }  // the common case: no per-element work on a 150k-token vocabulary
            var items: [GGUFValue] = []
            items.reserveCapacity(arr.count)
            for x in arr.values {
                let y = retyped(x, .string(t.name))
                guard y.type == t else { return v }
                items.append(y)
            }
            return array(items, t) ?? v
        }
        guard let t = GGUFValueType(name: name), t != v.type else { return v }
        if let i = v.integerValue {
            switch t {
            case .uint8: return UInt8(exactly: i).map(GGUFValue.uint8) ?? v
            case .int8: return Int8(exactly: i).map(GGUFValue.int8) ?? v
            case .uint16: return UInt16(exactly: i).map(GGUFValue.uint16) ?? v
            case .int16: return Int16(exactly: i).map(GGUFValue.int16) ?? v
            case .uint32: return UInt32(exactly: i).map(GGUFValue.uint32) ?? v
            case .int32: return Int32(exactly: i).map(GGUFValue.int32) ?? v
            case .uint64: return UInt64(exactly: i).map(GGUFValue.uint64) ?? v
            case .int64: return .int64(i)
            default: return v
            }
        }
        switch (v, t) {
        case let (.float32(f), .float64): return .float64(Double(f))
        case let (.float64(d), .float32): return .float32(Float(d))
        default: return v
        }
    }

    /// A compact array of values that all have type `t`.
    private static func array(_ items: [GGUFValue], _ t: GGUFValueType) -> GGUFValue? {
        func all<T>(_ f: (GGUFValue) -> T?) -> [T]? {
            let r = items.compactMap(f)
            return r.count == items.count ? r : nil
        }
        let a: GGUFArray?
        switch t {
        case .uint8: a = all { if case let .uint8(x) = $0 { x } else { nil } }.map(GGUFArray.uint8)
        case .int8: a = all { if case let .int8(x) = $0 { x } else { nil } }.map(GGUFArray.int8)
        case .uint16: a = all { if case let .uint16(x) = $0 { x } else { nil } }.map(GGUFArray.uint16)
        case .int16: a = all { if case let .int16(x) = $0 { x } else { nil } }.map(GGUFArray.int16)
        case .uint32: a = all { if case let .uint32(x) = $0 { x } else { nil } }.map(GGUFArray.uint32)
        case .int32: a = all { if case let .int32(x) = $0 { x } else { nil } }.map(GGUFArray.int32)
        case .uint64: a = all { if case let .uint64(x) = $0 { x } else { nil } }.map(GGUFArray.uint64)
        case .int64: a = all { if case let .int64(x) = $0 { x } else { nil } }.map(GGUFArray.int64)
        case .float32: a = all { if case let .float32(x) = $0 { x } else { nil } }.map(GGUFArray.float32)
        case .float64: a = all { if case let .float64(x) = $0 { x } else { nil } }.map(GGUFArray.float64)
        case .bool: a = all { if case let .bool(x) = $0 { x } else { nil } }.map(GGUFArray.bool)
        case .string: a = all { $0.stringValue }.map(GGUFArray.string)
        case .array: a = nil
        }
        return a.map(GGUFValue.array)
    }
}
