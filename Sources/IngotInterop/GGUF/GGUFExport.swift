import IngotFormat

/// Writes a canonical model as a GGUF v3 file llama.cpp loads (specs/canonical.md §3), the way
/// `convert_hf_to_gguf.py` lays one out.
///
/// - llama / qwen2 (`ingot.architecture`): GGUF tensor names; llama's q/k rows permuted per head (k with the kv head
///   count); f32/f16/bf16 as they are; 2-D q8_0/q4_0/q4_1 with group size 32 as GGUF's Q8_0/Q4_0/Q4_1 blocks, byte for
///   byte (rows moved whole, never requantized). Other block-quantized tensors — another group size, or not 2-D,
///   which GGUF has no block type for — are written as the exact f32 values their blocks stand for, with a warning:
///   nothing is re-rounded, at the cost of size. `rope_freqs.weight` (first, as the converter writes it) for llama-3
///   rope scaling, computed from `ingot.config.rope_scaling` (its own `original_max_position_embeddings`, unlike the
///   converter's 8192 fallback) or copied exactly from a GGUF source.
/// - Pairs: `general.architecture`, `general.alignment` 32, `<arch>.*` from `ingot.config`, `general.file_type`,
///   `general.quantization_version`, and the tokenizer: from a GGUF-form `ingot.tokenizer`, or converted from
///   Hugging Face's `tokenizer.json` (`GGUFTokenizer.keyValues(fromHF:)`). A GGUF source's `ingot.gguf` is
///   reproduced instead — every pair, in order, with its type — so GGUF → Ingot → GGUF gives the same pairs and
///   tensor bytes back.
/// - Any other architecture goes back to GGUF only if it came from GGUF (`ingot.gguf`): names and pairs untouched.
///
/// Returns the warnings (tensors written as f32, an unconverted tokenizer, …). Errors name the destination;
/// nothing is left there when one is thrown.
public enum GGUFExport {
    @discardableResult
    public static func write(path: String, source: any TensorSource) throws -> [String] {
        let plan: GGUFCanonicalExportPlan
        do { plan = try GGUFCanonicalExportPlan(source: source) } catch let e as FileError { throw e } catch {
            throw FileError(path: path, error)
        }
        let byName = Dictionary(plan.tensors.map { (ExactKey($0.descriptor.name), $0) }, uniquingKeysWith: { a, _ in a })
        try GGUFWriter.write(path: path, keyValues: plan.keyValues, tensors: plan.tensors.map(\.descriptor)) { d in
            guard let t = byName[ExactKey(d.name)] else { throw FileError(path: path, IngotError.noSuchTensor(d.name)) }
            return try plan.load(t, from: source)
        }
        return plan.warnings
    }
}
