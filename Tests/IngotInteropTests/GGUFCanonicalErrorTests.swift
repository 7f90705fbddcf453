import Foundation
import IngotFamilies
import IngotFormat
import Testing

@testable import IngotInterop

/// Inconsistent or hostile configs are refused with one clear error each — before any row moves — and never crash.
@Suite struct GGUFCanonicalErrorTests {
    /// Opens a llama GGUF made of `pairs` and one q projection of `rows` × 8 (plus `extra` tensors).
    func importError(_ pairs: [GGUFKeyValue], qRows: Int = 8, qShape: [Int]? = nil) throws -> GGUFCanonicalError? {
        let dir = TempDir()
        let p = dir.file("bad.gguf")
        let shape = qShape ?? [qRows, 8]
        try writeGGUF(p, pairs, [("blk.0.attn_q.weight", shape, [Float](repeating: 1, count: shape.reduce(1, *)))])
        return thrown(GGUFCanonicalError.self) { _ = try CanonicalGGUFSource(path: p) }
    }

    @Test("import: a head count that does not split the q rows into halves")
    func headsDoNotDivide() throws {
        #expect(try importError(llamaPairs(heads: 3, kvHeads: 3)) == .headsDoNotDivideRows(tensor: "blk.0.attn_q.weight", rows: 8, heads: 3))
        // Hostile: the largest u32 head count is refused the same way, not trapped on.
        #expect(try importError(llamaPairs(heads: UInt32.max, kvHeads: 1))
            == .headsDoNotDivideRows(tensor: "blk.0.attn_q.weight", rows: 8, heads: Int(UInt32.max)))
    }

    @Test("import: q rows that are not heads × head_dim (key_length)")
    func rowsNotHeadsTimesHeadDim() throws {
        let pairs = llamaPairs(extra: [GGUFKeyValue("llama.attention.key_length", .uint32(8))])
        #expect(try importError(pairs) == .rowsNotHeadsTimesHeadDim(tensor: "blk.0.attn_q.weight", rows: 8, heads: 2, headDim: 8))
    }

    @Test("import: missing, mistyped, zero, out-of-range or non-uniform head counts")
    func badHeadCounts() throws {
        var pairs = llamaPairs()
        pairs.remove(at: 5)
        #expect(try importError(pairs) == .missingKey("llama.attention.head_count"))
        func with(_ v: GGUFValue) -> [GGUFKeyValue] {
            var p = llamaPairs()
            p[5] = GGUFKeyValue("llama.attention.head_count", v)
            return p
        }
        #expect(try importError(with(.string("2"))) == .badValue(key: "llama.attention.head_count", reason: "str is not one integer"))
        #expect(try importError(with(.uint32(0))) == .badValue(key: "llama.attention.head_count", reason: "must be positive"))
        if case .badValue? = try importError(with(.uint64(1 << 63))) {} else { Issue.record("u64 2^63 head count accepted") }
        if case .badValue? = try importError(with(.int32(-2))) {} else { Issue.record("negative head count accepted") }
        if case .badValue? = try importError(with(.array(.uint32([2, 4])))) {} else { Issue.record("per-layer head counts accepted") }
        // A uniform per-layer array describes one head count.
        #expect(try importError(with(.array(.uint32([2])))) == nil)
    }

    @Test("import: a 3-D q tensor cannot be permuted")
    func rank3() throws {
        #expect(try importError(llamaPairs(), qShape: [8, 2, 4]) == .cannotPermute(
            tensor: "blk.0.attn_q.weight", reason: "rank 3, expected a 2-D weight or a 1-D bias"))
    }

    func exportSource(_ edit: (inout JSONObject) -> Void = { _ in }, arch: String = "llama", qRows: Int = 8,
                      extra: String? = nil) throws -> MemorySource {
        var c = JSONObject()
        for (k, v) in [("vocab_size", 4), ("hidden_size", 8), ("num_layers", 1), ("num_heads", 2), ("num_kv_heads", 2),
                       ("head_dim", 4), ("ffn_size", 8), ("max_positions", 16)] { c[k] = .int(Int64(v)) }
        c["norm_eps"] = .double(1e-5)
        edit(&c)
        let s = MemorySource(metadata: JSONObject([("ingot.architecture", .string(arch)), ("ingot.config", .object(c))]))
        try s.add("model.layers.0.self_attn.q_proj.weight", .f32, [qRows, 8], bytes: [UInt8](repeating: 0, count: qRows * 32))
        if let extra { try s.add(extra, .f32, [8], bytes: [UInt8](repeating: 0, count: 32)) }
        return s
    }

    func exportError(_ s: any TensorSource) -> GGUFCanonicalError? {
        let dir = TempDir()
        let out = dir.file("out.gguf")
        defer { #expect(!FileManager.default.fileExists(atPath: out), "nothing is left at the destination") }
        return thrown(GGUFCanonicalError.self) { try exportGGUF(out, s) }
    }

    @Test("export: config heads that contradict the q rows, or kv heads that do not divide heads")
    func exportInconsistentConfig() throws {
        #expect(exportError(try exportSource(qRows: 12)) == .rowsNotHeadsTimesHeadDim(
            tensor: "model.layers.0.self_attn.q_proj.weight", rows: 12, heads: 2, headDim: 4))
        #expect(exportError(try exportSource({ $0["num_heads"] = .int(8); $0["num_kv_heads"] = .int(8) }, qRows: 12))
            == .headsDoNotDivideRows(tensor: "model.layers.0.self_attn.q_proj.weight", rows: 12, heads: 8))
        #expect(exportError(try exportSource { $0["num_kv_heads"] = .int(3) })
            == .badValue(key: "ingot.config.num_kv_heads", reason: "3 does not divide num_heads 2"))
        #expect(exportError(try exportSource { $0["num_heads"] = .int(-1) }) == .badValue(
            key: "ingot.config.num_heads", reason: "must be a positive 32-bit integer, found -1"))
        #expect(exportError(try exportSource { $0["ffn_size"] = nil }) == .missingKey("ingot.config.ffn_size"))
    }

    @Test("export: no config, an unmapped Hugging Face tensor, an architecture without a GGUF mapping")
    func exportRefusals() throws {
        let noConfig = MemorySource(metadata: JSONObject([("ingot.architecture", .string("llama"))]))
        #expect(exportError(noConfig) == .missingKey("ingot.config"))
        #expect(exportError(try exportSource(extra: "model.layers.0.mlp.experts.0.weight"))
            == .unmappedTensor("model.layers.0.mlp.experts.0.weight"))
        #expect(exportError(try exportSource(arch: "gpt2")) == .unsupportedArchitecture("gpt2"))
        #expect(exportError(MemorySource(metadata: JSONObject())) == .unsupportedArchitecture(nil))
    }

    @Test("errors read as one line naming the problem")
    func messages() {
        let e = GGUFCanonicalError.headsDoNotDivideRows(tensor: "blk.0.attn_q.weight", rows: 8, heads: 3)
        #expect(e.description.contains("8 rows") && e.description.contains("3 heads"))
        #expect(!GGUFCanonicalError.rowsNotHeadsTimesHeadDim(tensor: "x", rows: 1, heads: Int.max, headDim: 2).description.isEmpty)
    }
}

/// Odd but harmless values are not errors: what the config cannot hold stays in ingot.gguf, exactly.
@Suite struct GGUFCanonicalOddValueTests {
    @Test("zero sizes, a non-positive rope base: left out of ingot.config, kept in ingot.gguf")
    func zeroSizesKeptVerbatim() throws {
        let dir = TempDir()
        let p = dir.file("odd.gguf")
        var pairs = llamaPairs()
        pairs[4] = GGUFKeyValue("llama.feed_forward_length", .uint32(0))
        pairs.append(GGUFKeyValue("llama.rope.freq_base", .float32(-1)))
        var r = TestRandom(state: 8)
        try writeGGUF(p, pairs, [("blk.0.attn_q.weight", [8, 8], r.floats(64))])
        let g = try CanonicalGGUFSource(path: p)
        let c = try #require(g.metadata["ingot.config"]?.objectValue)
        #expect(c["ffn_size"] == .null && c["rope_theta"] == .double(10000))
        let kept = try #require(g.metadata["ingot.gguf"]?.objectValue)
        #expect(kept["llama.feed_forward_length"] == .int(0) && kept["llama.rope.freq_base"] == .double(-1))
        // Export needs a feed-forward size, as llama.cpp does.
        #expect(thrown(GGUFCanonicalError.self) { try exportGGUF(dir.file("x.gguf"), g) }
            == .missingKey("ingot.config.ffn_size"))
    }
}

/// Values no model can run with: import keeps them verbatim (the file round-trips), but the typed config refuses
/// them by their GGUF key instead of running with a default (theta 10000) in their place.
@Suite struct GGUFCanonicalInvalidValueTests {
    func imported(_ key: String, _ value: GGUFValue, dir: TempDir) throws -> (CanonicalGGUFSource, String) {
        var pairs = llamaPairs(extra: [GGUFKeyValue("llama.vocab_size", .uint32(8))]).filter { $0.key != key }
        pairs.append(GGUFKeyValue(key, value))
        let p = dir.file("odd.gguf")
        var r = TestRandom(state: 9)
        try writeGGUF(p, pairs, [("blk.0.attn_q.weight", [8, 8], r.floats(64))])
        return (try CanonicalGGUFSource(path: p), p)
    }

    func configError(_ g: CanonicalGGUFSource) -> ModelConfigError? {
        do { _ = try ModelConfig(metadata: g.metadata) } catch { return error }
        return nil
    }

    @Test("a rope base of -5 imports, round-trips, and ModelConfig refuses it naming llama.rope.freq_base")
    func negativeRopeBase() throws {
        let dir = TempDir()
        let (g, p) = try imported("llama.rope.freq_base", .float32(-5), dir: dir)
        #expect(g.metadata["ingot.gguf"]?.objectValue?["llama.rope.freq_base"] == .double(-5))
        #expect(g.metadata["ingot.config"]?.objectValue?["invalid_source_keys"]
            == .object(JSONObject([("llama.rope.freq_base", .string("-5.0 is not a finite number > 0"))])))
        #expect(configError(g) == .invalidSourceValue(key: "llama.rope.freq_base", reason: "-5.0 is not a finite number > 0"))
        _ = try exportGGUF(dir.file("back.gguf"), g)
        #expect(readBytes(dir.file("back.gguf")) == readBytes(p), "the file round-trips with its -5")
    }

    @Test("a rope base of 0 or NaN: the same")
    func zeroOrNaNRopeBase() throws {
        for v in [GGUFValue.float32(0), .float32(.nan), .float64(-.infinity)] {
            let dir = TempDir()
            let (g, p) = try imported("llama.rope.freq_base", v, dir: dir)
            guard case .invalidSourceValue(key: "llama.rope.freq_base", _)? = configError(g) else {
                Issue.record("\(v): \(String(describing: configError(g)))"); continue
            }
            _ = try exportGGUF(dir.file("back.gguf"), g)
            #expect(readBytes(dir.file("back.gguf")) == readBytes(p), "\(v) round-trips")
        }
    }

    @Test("a negative or NaN epsilon, a zero block count or context: imported, kept verbatim, refused by ModelConfig")
    func badEpsilonAndZeroCounts() throws {
        let cases: [(String, GGUFValue, JSONValue)] = [
            ("llama.attention.layer_norm_rms_epsilon", .float32(-1e-5), .double(Double(Float(-1e-5)))),
            ("llama.attention.layer_norm_rms_epsilon", .float32(.nan), .string("NaN")),
            ("llama.block_count", .uint32(0), .int(0)),
            ("llama.context_length", .uint32(0), .int(0)),
        ]
        for (key, value, kept) in cases {
            let dir = TempDir()
            let (g, _) = try imported(key, value, dir: dir)
            #expect(g.metadata["ingot.gguf"]?.objectValue?[key] == kept, "\(key) is kept verbatim")
            guard case let .invalidSourceValue(k, reason)? = configError(g) else {
                Issue.record("\(key) = \(value) was accepted: \(String(describing: configError(g)))"); continue
            }
            #expect(k == key)
            #expect(!reason.isEmpty)
        }
        #expect(ModelConfigError.invalidSourceValue(key: "llama.block_count", reason: "0 is not a positive count").description
            == "source key 'llama.block_count': 0 is not a positive count; the model cannot run without a valid value (no default is substituted)")
    }

    @Test("a valid file records nothing")
    func validFileHasNoInvalidKeys() throws {
        let dir = TempDir()
        let (g, _) = try imported("llama.rope.freq_base", .float32(500_000), dir: dir)
        #expect(g.metadata["ingot.config"]?.objectValue?["invalid_source_keys"] == nil)
        #expect(configError(g) == nil)
    }
}

/// Random, mostly inconsistent configs: import and export either work or throw a `GGUFCanonicalError`; nothing traps.
@Suite struct GGUFCanonicalRandomConfigTests {
    @Test("300 random head counts, head sizes and q/k shapes never crash import or export")
    func randomConfigs() throws {
        var r = TestRandom(state: 2024)
        let dir = TempDir()
        let values: [UInt32] = [0, 1, 2, 3, 4, 6, 8, 16, UInt32.max, UInt32.max / 2 + 1]
        var opened = 0
        for i in 0..<300 {
            func pick() -> UInt32 { values[r.int(0...(values.count - 1))] }
            var pairs = llamaPairs(heads: pick(), kvHeads: pick(), hidden: pick())
            if r.int(0...1) == 1 { pairs.append(GGUFKeyValue("llama.attention.key_length", .uint32(pick()))) }
            if r.int(0...2) == 0 { pairs.append(GGUFKeyValue("llama.rope.dimension_count", .uint32(pick()))) }
            let rows = [0, 1, 2, 4, 6, 8, 12, 16][r.int(0...7)], cols = [1, 2, 8][r.int(0...2)]
            var tensors: [(String, [Int], [Float])] = [("blk.0.attn_q.weight", [rows, cols], r.floats(rows * cols)),
                                                       ("blk.0.attn_k.bias", [rows], r.floats(rows))]
            // First, where the converter puts it (export writes it first).
            if r.int(0...1) == 1 { tensors.insert(("rope_freqs.weight", [rows / 2], r.floats(rows / 2).map { abs($0) + 1 }), at: 0) }
            let p = dir.file("r\(i).gguf")
            try writeGGUF(p, pairs, tensors)
            let source: CanonicalGGUFSource
            do { source = try CanonicalGGUFSource(path: p) } catch {
                #expect(underlying(error, as: GGUFCanonicalError.self) != nil, "\(error)")
                continue
            }
            opened += 1
            for d in source.descriptors { _ = try source.load(d.name) }
            do { try exportGGUF(dir.file("o\(i).gguf"), source) } catch {
                #expect(underlying(error, as: GGUFCanonicalError.self) != nil, "\(error)")
                continue
            }
            // Whatever exported is the same file back.
            #expect(readBytes(dir.file("o\(i).gguf")) == readBytes(p), "case \(i)")
        }
        #expect(opened > 10)
    }
}
