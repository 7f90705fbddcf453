import IngotFamilies
import IngotFormat
#if canImport(Glibc)
import Glibc
#endif

/// A Hugging Face model directory as one tensor source: `config.json` plus `model.safetensors`, sharded
/// `model-XXXXX-of-YYYYY.safetensors` with `model.safetensors.index.json`, or `pytorch_model.bin` (and its sharded
/// index). Names stay as transformers wrote them (they are the canonical names, specs/canonical.md); the config and
/// tokenizer files become `ingot.*` metadata.
public final class HFDirectory: TensorSource {
    public let path: String
    public var formatName: String { "hf-directory" }
    public let metadata: JSONObject
    public let descriptors: [TensorDescriptor]
    /// Files read, relative to the directory (weights, config, tokenizer): provenance hashes them.
    public let files: [String]
    /// Things a user should know (an unknown architecture, tensors missing from the index).
    public let warnings: [String]
    private let shards: [any TensorSource]
    /// Each shard's file name, as `files` shows it.
    private let shardNames: [String]
    private let location: [ExactKey: Int]
    /// Canonical name → the name in the shard, where they differ (gpt2 checkpoints without the `transformer.` prefix).
    private let original: [ExactKey: String]

    /// Largest config/tokenizer/index file read into memory.
    static let maxSideFileBytes = 256 << 20

    public init(path: String) throws {
        self.path = path
        let dir = path.hasSuffix("/") ? String(path.dropLast()) : path
        func exists(_ name: String) -> Bool { access(dir + "/" + name, R_OK) == 0 }
        var files: [String] = []
        var warnings: [String] = []

        // Which weight files, in what order.
        var shardNames: [String] = []
        var weightMap: JSONObject? = nil
        for index in ["model.safetensors.index.json", "pytorch_model.bin.index.json"] where exists(index) {
            let o = try HFDirectory.readJSON(dir, index)
            files.append(index)
            guard let map = o["weight_map"]?.objectValue else {
                throw FileError(path: dir, HFDirectoryError.badIndex(file: index, reason: "no \"weight_map\" object"))
            }
            for (_, v) in map {
                guard let f = v.stringValue, isPlainFileName(f) else {
                    throw FileError(path: dir, HFDirectoryError.badIndex(file: index, reason: "weight_map names a bad file \(v)"))
                }
                if !shardNames.contains(f) { shardNames.append(f) }
            }
            weightMap = map
            shardNames.sort()  // model-00001-of-… first, whatever order the index lists tensors in
            break
        }
        if shardNames.isEmpty {
            if exists("model.safetensors") { shardNames = ["model.safetensors"] }
            else if exists("pytorch_model.bin") { shardNames = ["pytorch_model.bin"] }
            else {
                throw FileError(path: dir, IngotError.unsupported(
                    "not a model directory: no model.safetensors, sharded index or pytorch_model.bin"))
            }
        }

        // Open every shard; each tensor lives in exactly one.
        var shards: [any TensorSource] = []
        var location: [ExactKey: Int] = [:]
        var descriptors: [TensorDescriptor] = []
        for (i, name) in shardNames.enumerated() {
            let s = try openTensorSource(path: dir + "/" + name)
            files.append(name)
            shards.append(s)
            for d in s.descriptors {
                if location[ExactKey(d.name)] != nil {
                    throw FileError(path: dir + "/" + name, IngotError.duplicateName(d.name))
                }
                location[ExactKey(d.name)] = i
                descriptors.append(d)
            }
        }
        if let map = weightMap, let index = files.first {
            for (tensor, file) in map {
                guard let i = location[ExactKey(tensor)] else {
                    throw FileError(path: dir, HFDirectoryError.badIndex(
                        file: index, reason: "lists \(quoted(tensor)) in \(file.stringValue ?? "?"), but no shard has a tensor of that name"))
                }
                if shardNames[i] != file.stringValue {
                    throw FileError(path: dir, HFDirectoryError.badIndex(
                        file: index, reason: "puts \(quoted(tensor)) in \(file.stringValue ?? "?") but it is in \(shardNames[i])"))
                }
            }
            let unlisted = descriptors.filter { map[$0.name] == nil }.count
            if unlisted > 0 { warnings.append("\(unlisted) tensors in the shards are not listed in the index (kept)") }
        }

        // Metadata: foreign metadata of the first shard, then Ingot's own keys.
        var meta = shards.first?.metadata ?? JSONObject()
        var family: (any ModelFamily)? = nil
        if exists("config.json") {
            let hf = try HFDirectory.readJSON(dir, "config.json")
            files.append("config.json")
            if let type = hf["model_type"]?.stringValue, let f = ModelFamilies.forModelType(type) {
                family = f
                meta["ingot.architecture"] = .string(f.name)
                do {
                    meta["ingot.config"] = .object(try f.config(fromHF: hf).json)
                } catch let ModelConfigError.unsupported(key, value) {
                    // A valid config naming a variant the forward pass lacks (yarn rope, …): the weights still convert.
                    warnings.append("config.json: \(key) = \(value) is not supported by the forward pass: converted without ingot.config")
                } catch {
                    throw FileError(path: dir, HFDirectoryError.badConfig(file: "config.json", reason: error.description))
                }
            } else {
                let arch = hf["model_type"]?.stringValue ?? hf["architectures"]?.arrayValue?.first?.stringValue ?? "unknown"
                meta["ingot.architecture"] = .string(arch)
                warnings.append("unknown architecture \(quoted(arch)): tensors and metadata kept, names untouched")
            }
            meta["ingot.hf_config"] = .object(hf)
        } else {
            warnings.append("no config.json: the architecture is unknown")
        }
        if exists("generation_config.json") {
            meta["ingot.hf_generation_config"] = .object(try HFDirectory.readJSON(dir, "generation_config.json"))
            files.append("generation_config.json")
        }
        var tok = JSONObject()
        if exists("tokenizer.json") {
            // Kept as the file's exact text, but parsed once: a broken tokenizer.json is this directory's error now,
            // not a GGUF export's later.
            let f = try HFDirectory.readBytes(dir, "tokenizer.json")
            tok["tokenizer_json"] = .string(try HFDirectory.text(f, dir, "tokenizer.json"))
            try HFDirectory.parse(f.bytes, dir, "tokenizer.json", as: "object")
            files.append("tokenizer.json")
        }
        if exists("tokenizer_config.json") {
            let tc = try HFDirectory.readJSON(dir, "tokenizer_config.json")
            tok["tokenizer_config"] = .object(tc)
            if let t = tc["chat_template"] { tok["chat_template"] = t }
            files.append("tokenizer_config.json")
        }
        if exists("chat_template.jinja") {
            tok["chat_template"] = .string(try HFDirectory.readText(dir, "chat_template.jinja"))
            files.append("chat_template.jinja")
        }
        if !tok.isEmpty { meta["ingot.tokenizer"] = .object(tok) }
        if let st = try HFDirectory.sentenceTransformers(dir, files: &files) { meta["ingot.sentence_transformers"] = .object(st) }

        // Checkpoint names onto the family's canonical names (gpt2 without `transformer.`, bert task models with
        // `bert.`); buffers that are not weights (attention masks, position ids) are dropped.
        var original: [ExactKey: String] = [:]
        if let family {
            var mapped: [TensorDescriptor] = []
            for d in descriptors {
                guard let name = family.canonicalName(stored: d.name, shape: d.layout.shape) else { continue }
                if name != d.name {
                    guard location[ExactKey(name)] == nil, original[ExactKey(name)] == nil else {
                        throw FileError(path: dir, IngotError.duplicateName(name))
                    }
                    original[ExactKey(name)] = d.name
                }
                mapped.append(TensorDescriptor(name: name, layout: d.layout))
            }
            if mapped.count != descriptors.count { warnings.append("\(descriptors.count - mapped.count) non-weight buffers dropped") }
            descriptors = mapped
        }
        self.original = original
        self.metadata = meta
        self.descriptors = descriptors
        self.files = files
        self.warnings = warnings
        self.shards = shards
        self.shardNames = shardNames
        self.location = location
    }

    public var sourceFiles: [(shown: String, path: String)] {
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        return files.map { ($0, base + "/" + $0) }
    }

    public func load(_ name: String) throws -> TensorBuffer {
        let stored = original[ExactKey(name)] ?? name
        guard let i = location[ExactKey(stored)] else { throw FileError(path: path, IngotError.noSuchTensor(name)) }
        return try shards[i].load(stored)
    }

    public func sourceFile(of name: String) -> String? {
        let stored = original[ExactKey(name)] ?? name
        return location[ExactKey(stored)].map { shardNames[$0] }
    }

    public func evict(_ name: String) {
        let stored = original[ExactKey(name)] ?? name
        if let i = location[ExactKey(stored)] { shards[i].evict(stored) }
    }

    public func storage(of d: TensorDescriptor) -> StorageInfo {
        let stored = original[ExactKey(d.name)] ?? d.name
        guard let i = location[ExactKey(stored)] else { return StorageInfo(storedBytes: d.layout.byteCount, encoding: "raw") }
        return shards[i].storage(of: TensorDescriptor(name: stored, layout: d.layout))
    }

    /// A sentence-transformers model's own files (modules.json, each module's config.json such as
    /// 1_Pooling/config.json, sentence_bert_config.json, config_sentence_transformers.json) as one object, so that
    /// pooling survives conversion and an export can write the files back. nil without modules.json.
    static func sentenceTransformers(_ dir: String, files: inout [String]) throws -> JSONObject? {
        guard access(dir + "/modules.json", R_OK) == 0 else { return nil }
        let f = try readBytes(dir, "modules.json")
        let modules = try parse(f.bytes, dir, "modules.json", as: "array")
        let list = modules.arrayValue ?? []
        files.append("modules.json")
        var st = JSONObject()
        st["modules"] = modules
        var configs = JSONObject()
        for m in list {
            // A module's path is one plain folder name inside the model directory ("" for the transformer itself).
            guard let path = m.objectValue?["path"]?.stringValue, !path.isEmpty else { continue }
            guard isPlainFileName(path) else {
                throw FileError(path: dir, HFDirectoryError.badModulePath(file: "modules.json", path: path))
            }
            let name = path + "/config.json"
            guard access(dir + "/" + name, R_OK) == 0 else { continue }
            configs[path] = .object(try readJSON(dir, name))
            files.append(name)
        }
        st["module_configs"] = .object(configs)
        for side in ["sentence_bert_config.json", "config_sentence_transformers.json"] where access(dir + "/" + side, R_OK) == 0 {
            st[String(side.dropLast(".json".count))] = .object(try readJSON(dir, side))
            files.append(side)
        }
        return st
    }


    /// A side file's bytes, size-capped before they are read.
    static func readBytes(_ dir: String, _ name: String) throws -> MappedFile {
        let path = dir + "/" + name
        let f = try withPath(path) { try MappedFile(path: path) }
        guard f.bytes.count <= maxSideFileBytes else {
            throw FileError(path: dir, HFDirectoryError.tooLarge(file: name, bytes: f.bytes.count, cap: maxSideFileBytes))
        }
        return f
    }

    static func readText(_ dir: String, _ name: String) throws -> String {
        try text(try readBytes(dir, name), dir, name)
    }

    static func text(_ f: MappedFile, _ dir: String, _ name: String) throws -> String {
        guard let s = String(validating: f.bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else {
            throw FileError(path: dir, HFDirectoryError.notUTF8(file: name))
        }
        return s
    }

    /// Parses a side file's bytes as JSON whose top level is an `expected` ("object" or "array"); errors name the file.
    @discardableResult
    static func parse(_ bytes: UnsafeRawBufferPointer, _ dir: String, _ name: String, as expected: String) throws -> JSONValue {
        let v: JSONValue
        do { v = try JSONParser.parse(bytes) } catch {
            throw FileError(path: dir, HFDirectoryError.invalidJSON(file: name, reason: error.description))
        }
        let ok = expected == "object" ? v.objectValue != nil : v.arrayValue != nil
        guard ok else {
            throw FileError(path: dir, HFDirectoryError.wrongJSONType(file: name, expected: expected, found: v.typeName))
        }
        return v
    }

    static func readJSON(_ dir: String, _ name: String) throws -> JSONObject {
        let f = try readBytes(dir, name)
        return try parse(f.bytes, dir, name, as: "object").objectValue ?? JSONObject()
    }
}
