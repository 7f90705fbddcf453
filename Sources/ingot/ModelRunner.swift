import IngotFormat
import IngotInterop
import IngotFamilies
import IngotModel

/// Opens a model (any importable source carrying `ingot.config`) for the forward pass, with block-quantized weights
/// dequantized one matrix at a time.
struct ModelRunner {
    let source: any TensorSource
    let transformer: Transformer

    init(path: String, threads: Int) throws {
        source = try openModelSource(path: path)
        let config: ModelConfig
        do { config = try ModelConfig(metadata: source.metadata) } catch {
            throw FileError(path: path, IngotError.unsupported(
                "\(error) — the forward pass needs a model config: convert from a Hugging Face directory or a GGUF file"))
        }
        let weights = TensorSourceWeights(source: source)
        do { transformer = try Transformer(config: config, weights: weights, threads: threads) } catch {
            throw FileError(path: path, error)
        }
    }

    func logits(_ tokens: [Int]) throws -> Logits {
        transformer.reset()
        do { return try transformer.prefill(tokens) } catch { throw FileError(path: source.path, error) }
    }
}

/// Token lists from the command line: "1,2,3".
func parseTokens(_ s: String) throws -> [Int] {
    let parts = s.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" })
    let tokens = parts.compactMap { Int($0) }
    guard tokens.count == parts.count, !tokens.isEmpty, tokens.allSatisfy({ $0 >= 0 }) else {
        throw CLIError("tokens must be non-negative integers separated by commas (got \(quoted(String(s.prefix(60)))))")
    }
    return tokens
}
