import IngotFormat
#if canImport(Glibc)
import Glibc
#endif

/// Writes a Hugging Face model directory that `from_pretrained` (transformers, sentence-transformers) and
/// `HFDirectory` load: `model.safetensors` streamed through a `SafetensorsWriter` (the metadata without Ingot's own
/// `ingot.*` keys, plus `format: pt` as `save_pretrained` writes it: transformers refuses safetensors metadata
/// without a format it knows), and the side files `HFSideFiles` rebuilds from the `ingot.*` keys. Dropping the
/// writer unfinished is an abort.
///
/// Every file appears atomically (`AtomicFile`): the side files are written unnamed at `finish` and committed
/// before the weights, so a `model.safetensors` this writer put in place always has its config beside it. The
/// directory (and its parents) is created when absent, and removed again on `abort` if it is still empty. Without
/// `overwrite`, any file the export would write that already exists is refused; a sharded-weights index, which
/// loaders would read instead of `model.safetensors`, is refused always.
public final class HFDirectoryWriter: TensorFileWriter {
    public static let weightsName = "model.safetensors"

    /// The directory.
    public let path: String
    /// Every file the writer puts in place (full paths), the weights last.
    public let files: [String]
    /// What could not be rebuilt (no config.json, a GGUF tokenizer).
    public let warnings: [String]
    private let dir: String
    private let weights: SafetensorsWriter
    private let side: HFSideFiles
    /// Directories this writer made, deepest last: `abort` removes them while they are empty.
    private var created: [String] = []
    private var finished = false

    public init(path: String, metadata: JSONObject, tensors: [TensorDescriptor], overwrite: Bool = false) throws {
        let dir = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        let side = try withPath(path) { try HFSideFiles(metadata: metadata) }
        let names = side.files.map(\.name) + [Self.weightsName]
        for index in ["model.safetensors.index.json", "pytorch_model.bin.index.json"] where access(dir + "/" + index, F_OK) == 0 {
            throw FileError(path: dir, HFExportError.shadowingIndex(index))
        }
        if !overwrite, let existing = names.first(where: { access(dir + "/" + $0, F_OK) == 0 }) {
            throw FileError(path: dir + "/" + existing, HFExportError.fileExists)
        }
        self.path = path
        self.dir = dir
        self.side = side
        files = names.map { dir + "/" + $0 }
        warnings = side.warnings
        created = try Self.makeDirectory(dir)
        do {
            weights = try SafetensorsWriter(path: dir + "/" + Self.weightsName, metadata: Self.weightsMetadata(metadata), tensors: tensors)
        } catch {
            Self.remove(created)
            throw error
        }
    }

    /// What `model.safetensors` keeps of a source's metadata: no `ingot.*` keys (config, tokenizer, provenance live
    /// in the side files or nowhere) and a `format` key (see above).
    static func weightsMetadata(_ meta: JSONObject) -> JSONObject {
        var foreign = SafetensorsWriter.foreignMetadata(meta)
        if foreign["format"] == nil { foreign["format"] = .string("pt") }
        return foreign
    }

    public func append(_ d: TensorDescriptor, bytes: UnsafeRawBufferPointer) throws {
        do { try weights.append(d, bytes: bytes) } catch {
            abort()
            throw error
        }
    }

    public func finish() throws {
        guard !finished else { throw FileError(path: path, TensorWriteError.closed(committed: true)) }
        do {
            var pending: [PendingFile] = []
            for (name, bytes) in side.files {
                if let slash = name.lastIndex(of: "/") { created += try Self.makeDirectory(dir + "/" + name[..<slash]) }
                let f = try PendingFile(path: dir + "/" + name)
                try f.step { try $0.write(bytes) }
                pending.append(f)
            }
            for f in pending { try f.commit() }
            try weights.finish()
            finished = true
        } catch {
            abort()
            throw error
        }
    }

    /// Abandons the weights (and any side file not yet committed); directories this writer made go if empty.
    public func abort() {
        guard !finished else { return }
        weights.abort()
        Self.remove(created)
        created = []
    }

    deinit { abort() }

    /// Creates `dir` and any missing parents (like `mkdir -p`); returns the ones it made, outermost first.
    public static func makeDirectory(_ dir: String) throws -> [String] {
        var missing: [String] = []
        var p = dir
        while !p.isEmpty, p != "/" {
            var st = stat()
            if stat(p, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else { throw FileError(path: p, HFExportError.notADirectory) }
                break
            }
            missing.append(p)
            guard let slash = p.lastIndex(of: "/") else { break }
            p = String(p[..<slash])
        }
        var made: [String] = []
        for d in missing.reversed() {
            if mkdir(d, 0o777) == 0 {
                made.append(d)
            } else if errno != EEXIST {  // EEXIST: made meanwhile by someone else, which is as good
                let why = String(cString: strerror(errno))
                remove(made)
                throw FileError(path: d, IngotError.io("cannot create the directory: \(why)"))
            }
        }
        return made
    }

    private static func remove(_ dirs: [String]) {
        for d in dirs.reversed() { rmdir(d) }
    }
}
