import IngotFamilies
import IngotFormat
import Testing

@testable import IngotInterop

/// The committed seeds of each hostile input class of the attack campaign (FuzzTesting/Corpus/<format>/): each must
/// keep failing with its own rule's error, so the corpus keeps steering the fuzzers at that rule. `CorpusReplayTests`
/// only asks that no seed crashes.
@Suite struct HostileCorpusTests {
    static func path(_ file: String) -> String { CorpusReplayTests.corpus + "/" + file }

    static func mapped(_ file: String, wrapPickle: Bool = false) -> MappedFile {
        var bytes = readBytes(path(file))
        if wrapPickle { bytes = PyTorchCorpusReplayTests.harnessBytes(bytes) }
        return bytes.withUnsafeBytes { MappedFile(copying: $0, path: file) }
    }

    static let smallBudget = ZipLimits(maxInflatedBytes: 1 << 20)

    @Test func inflateBombs() throws {
        let npz = try NpzFile(mapped: Self.mapped("npz/bomb_declares_4gib.npz"), limits: Self.smallBudget)
        #expect(thrown(ZipError.self) { _ = try npz.load("x") } == .wouldNotFit(entry: "x.npy", size: 4 << 30, cap: 1 << 20))
        let past = try NpzFile(mapped: Self.mapped("npz/bomb_past_declared.npz"))
        #expect(thrown(ZipError.self) { _ = try past.load("x") } == .inflatesPastDeclaredSize(entry: "x.npy", declared: 228))
        let pt = try PyTorchCheckpoint(mapped: Self.mapped("pytorch/bomb_declares_4gib.bin"), limits: Self.smallBudget)
        #expect(thrown(ZipError.self) { _ = try pt.load("w") } == .wouldNotFit(entry: "archive/data/0", size: 4 << 30, cap: 1 << 20))
    }

    @Test func pickleFrameAndIntKey() {
        #expect(thrown(PickleError.self) { _ = try PyTorchCheckpoint(mapped: Self.mapped("pytorch/frame_2e62.pkl", wrapPickle: true)) }
            == .frameBeyondEnd(offset: 2, length: 1 << 62, remaining: 2))
        #expect(thrown(PyTorchError.self) { _ = try PyTorchCheckpoint(mapped: Self.mapped("pytorch/int_key_tensor.pkl", wrapPickle: true)) }
            == .intKey(path: "b", key: 0))
    }

    @Test func rank100InEveryReader() {
        let reason = "rank 100 exceeds the maximum of 8"
        #expect(thrown(IngotError.self) { _ = try PyTorchCheckpoint(mapped: Self.mapped("pytorch/rank100.pkl", wrapPickle: true)) }
            == .badShape(tensor: "w", reason: reason))
        #expect(thrown(SafetensorsError.self) { _ = try SafetensorsFile(mapped: Self.mapped("safetensors/rank100.safetensors")) }
            == .badShape(tensor: "a", reason: reason))
        #expect(thrown(NpyError.self) { _ = try NpyFile(mapped: Self.mapped("npy/rank100.npy")) } == .badShape(reason))
        #expect(thrown(GGUFError.self) { _ = try GGUFFile(mapped: Self.mapped("gguf/rank100.gguf")) }
            == .tooManyDimensions(tensor: "t", count: 100))
    }

    @Test func emptyZips() {
        #expect(thrown(PyTorchError.self) { _ = try openTensorSource(path: Self.path("pytorch/empty_zip.bin")) } == .noDataPickle)
        #expect(thrown(SourceOpenError.self) { _ = try openModelSource(path: Self.path("npz/empty.npz")) } == .noTensors(format: "npz"))
    }

    @Test func ggufConfigValues() throws {
        for (file, key) in [("freq_base_negative", "llama.rope.freq_base"), ("freq_base_nan", "llama.rope.freq_base"),
                            ("epsilon_negative", "llama.attention.layer_norm_rms_epsilon")] {
            let g = try CanonicalGGUFSource(path: Self.path("gguf/\(file).gguf"))
            guard case .invalidSourceValue(key: key, _)? = thrown(ModelConfigError.self, { _ = try ModelConfig(metadata: g.metadata) })
            else { Issue.record("\(file) builds a config"); continue }
        }
        // 10^9 layers is a valid-looking config; the weights refuse it (IngotModelTests.HostileConfigTests).
        let g = try CanonicalGGUFSource(path: Self.path("gguf/block_count_1e9.gguf"))
        #expect(try ModelConfig(metadata: g.metadata).numLayers == 1_000_000_000)
    }
}
