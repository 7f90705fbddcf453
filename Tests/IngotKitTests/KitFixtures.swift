import Foundation
import IngotFormat
import IngotInterop

/// Fixture paths (fixtures/ at the repository root) and scratch files for the pipeline tests.
enum KitFixtures {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // IngotKitTests → Tests → repository root
        return url.path
    }()

    /// A Hugging Face llama directory with config and tokenizer (runs, exports to GGUF).
    static let llama = root + "/fixtures/models/llama-gqa/safetensors"
    /// The same model as llama.cpp wrote it at Q8_0.
    static let llamaQ8 = root + "/fixtures/models/llama-gqa/gguf/llama-gqa-Q8_0.gguf"
    /// A sentence-transformers BERT directory (mean pooling + Normalize) with transformers' reference outputs.
    static let bert = root + "/fixtures/models/bert/safetensors"
    /// A single safetensors file (no config): 21 tensors, one with rows of 176.
    static let tiny = root + "/fixtures/tiny-llama/model.safetensors"

    /// A fresh empty directory.
    static func tempDir() -> String {
        let d = NSTemporaryDirectory() + "ingot-kit-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// A safetensors file of f32 tensors.
    static func writeSafetensors(_ path: String, _ tensors: [(name: String, shape: [Int], values: [Float])]) throws {
        let descriptors = try tensors.map { TensorDescriptor(name: $0.name, layout: try TensorLayout(name: $0.name, dtype: .f32, shape: $0.shape, groupSize: nil)) }
        try SafetensorsWriter(path: path, metadata: JSONObject(), tensors: descriptors).write(ClosureSource(descriptors) { d in
            let values = tensors.first { $0.name == d.name }?.values ?? []
            return values.withUnsafeBytes { TensorBuffer(copying: $0) }
        })
    }

    /// Smooth small weights, different per tensor.
    static func weights(_ count: Int, seed: Float) -> [Float] {
        (0..<count).map { sin(Float($0) * 0.37 + seed) * 0.05 }
    }
}
