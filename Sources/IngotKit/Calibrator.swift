import IngotFamilies
import IngotFormat
import IngotInterop
import IngotModel

/// `ingot calibrate`: the importance matrix of a model on calibration text, collected as llama-imatrix collects it —
/// for every weight matrix of the layer stack, the per-input-column sum of squared activations over all calibration
/// tokens, and the token count — so that a quantizer can weight each column's error by how much signal it carries.
/// Entries are named as llama.cpp names them (GGUF names for families that have them), so the file works with
/// `llama-quantize --imatrix` as well as with `ingot convert --imatrix`.
public enum Calibrator {
    public static func calibrate(_ request: CalibrateRequest, progress: ProgressHandler? = nil) throws -> CalibrateReport {
        guard VerifyRequest.contextRange.contains(request.context) else { throw PipelineError.badContext(request.context) }
        let runner = try ModelRunner(path: request.model, threads: request.threads)
        guard !runner.isEncoder else { throw PipelineError.calibrationNeedsDecoder(path: request.model) }
        let (windows, dataset) = try windows(for: request, runner: runner)
        let names = GGUFNameMap(family: ModelFamilies.named(runner.transformer.config.family))
        let sums = ColumnSums()
        runner.transformer.inputObserver = { name, x, rows, cols in
            // llama-imatrix's default: the matrices of the layer stack (not the output head).
            guard TensorRole(name: name).layer != nil else { return }
            sums.add(names.gguf(name), x, rows: rows, cols: cols)
        }
        defer { runner.transformer.inputObserver = nil }
        var tokens = 0
        for (i, w) in windows.enumerated() {
            progress?(i, windows.count, "chunk \(i + 1) of \(windows.count)")
            _ = try runner.logits(w.ids, from: w.ids.count)  // activations only: no position needs logits
            tokens += w.ids.count
        }
        progress?(windows.count, windows.count, "done")
        let m = ImportanceMatrix(entries: sums.entries(), datasets: [dataset], chunkCount: windows.count,
                                 chunkSize: windows.map(\.ids.count).max() ?? 0)
        return CalibrateReport(model: request.model, dataset: dataset, chunks: windows.count, tokens: tokens, imatrix: m)
    }

    /// The calibration windows and the dataset name recorded in the file (the text or token file's name).
    static func windows(for r: CalibrateRequest, runner: ModelRunner) throws -> ([(start: Int, ids: [Int])], String) {
        let context = min(r.context, runner.maxPositions)
        if let path = r.textFile {
            guard let t = runner.text else { throw PipelineError.noTokenizer(path: r.model) }
            let content = try withPath(path) { () throws -> String in
                let f = try MappedFile(path: path)
                return String(decoding: f.bytes, as: UTF8.self)
            }
            // As llama-imatrix reads it: the whole text tokenized with BOS in front (when the model uses one), cut into
            // windows whose first token is then BOS as well.
            let bos = Verifier.bos(t)
            let stream = (bos.map { [$0] } ?? []) + t.tokenizer.encode(content, addSpecialTokens: false).ids
            guard stream.count >= 2 else { throw FileError(path: path, PipelineError.textTooShort(tokens: stream.count)) }
            return (TextWindows.make(stream, context: context, bos: bos, maxWindows: r.maxChunks), fileName(path))
        }
        guard let path = r.tokenFile else { throw PipelineError.noCalibrationInput }
        // Token files: one window per line, each cut to the context.
        var seqs = try TokenSequences.read(path: path).map { Array($0.prefix(context)) }
        if let m = r.maxChunks { seqs = Array(seqs.prefix(m)) }
        for s in seqs where s.contains(where: { $0 >= runner.vocabSize }) {
            throw FileError(path: path, PipelineError.badTokens("token id beyond the vocabulary (\(runner.vocabSize))"))
        }
        return (seqs.map { (0, $0) }, fileName(path))
    }

    private static func fileName(_ path: String) -> String { String(path.split(separator: "/").last ?? Substring(path)) }
}

/// Canonical → GGUF tensor names for a family that has GGUF names (others keep theirs).
struct GGUFNameMap {
    let names: GGUFNames?

    init(family: (any ModelFamily)?) { names = family?.gguf }

    func gguf(_ canonical: String) -> String { names?.gguf(fromCanonical: canonical)?.name ?? canonical }
}

/// Per-matrix sums of squared input columns, in f64 (millions of tokens of small squares), in first-seen order.
final class ColumnSums {
    private var order: [String] = []
    private var sums: [String: (columns: Int, values: [Double], count: Int)] = [:]

    func add(_ name: String, _ x: UnsafePointer<Float>, rows: Int, cols: Int) {
        // Taken out of the dictionary while it is updated, so the sums array is not copied on every product.
        let seen = sums.removeValue(forKey: name)
        if seen == nil { order.append(name) }
        var e = seen ?? (cols, [Double](repeating: 0, count: cols), 0)
        defer { sums[name] = e }
        guard e.columns == cols else { return }  // one name, one width: the forward pass checked the shapes
        e.values.withUnsafeMutableBufferPointer { s in
            for r in 0..<rows {
                let row = x + r * cols
                for j in 0..<cols {
                    let v = Double(row[j])
                    s[j] += v * v
                }
            }
        }
        e.count += rows
    }

    func entries() -> [ImportanceMatrix.Entry] {
        order.compactMap { name in
            sums[name].map { ImportanceMatrix.Entry(name: name, columns: $0.columns, sums: $0.values.map { Float($0) }, counts: [Float($0.count)]) }
        }
    }
}
