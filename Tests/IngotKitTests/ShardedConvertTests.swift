import Foundation
import Testing
@testable import IngotFormat
@testable import IngotInterop
@testable import IngotKit

/// Sharded outputs: .ingot shards with their index, parts of a job array, resuming, Hugging Face shards, split GGUF.
@Suite struct ShardedConvertTests {
    /// The llama fixture (config + tokenizer) cut into several shards.
    static let maxBytes = 40_000

    func convert(_ out: String, part: ConvertPart? = nil, resume: Bool = false, source: String = KitFixtures.llama,
                 compress: Bool = true, maxBytes: Int = maxBytes) throws -> ConvertReport {
        var r = ConvertRequest(source: source, output: out, compression: compress ? .zstd() : nil)
        r.maxShardBytes = maxBytes
        r.part = part
        r.resume = resume
        return try Converter.convert(r)
    }

    func files(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    }

    func bytes(_ path: String) -> Data { FileManager.default.contents(atPath: path) ?? Data() }

    func expectSameTensors(_ a: any TensorSource, _ b: any TensorSource) throws {
        #expect(a.descriptors == b.descriptors)
        for d in a.descriptors {
            let x = try a.load(d.name), y = try b.load(d.name)
            #expect(x.withBytes { Array($0) } == y.withBytes { Array($0) }, "\(d.name)")
        }
    }

    @Test func shardsAndIndexHoldTheWholeModel() throws {
        let dir = KitFixtures.tempDir()
        let report = try convert(dir + "/model.ingot")
        let names = try files(dir)
        let shards = names.filter { $0.hasSuffix(".ingot") }
        #expect(shards.count > 2)
        #expect(names.contains("model.ingot.index.json"))
        #expect(report.files.count == shards.count + 1)
        let model = try openModelSource(path: dir + "/model.ingot.index.json")
        try expectSameTensors(try openModelSource(path: KitFixtures.llama), model)
        #expect(model.metadata["ingot.config"] != nil)
        #expect(model.metadata["ingot.tokenizer"] != nil)
        #expect(model.metadata[ShardStamp.key] == nil)
        // Each shard stays within the size (no single tensor of this model is larger), and only the first carries
        // the model's metadata.
        for (i, name) in shards.enumerated() {
            let f = try IngotFile(path: dir + "/" + name)
            if f.tensors.count > 1 { #expect(f.tensors.reduce(0) { $0 + $1.layout.byteCount } <= Self.maxBytes) }
            #expect(ShardStamp(metadata: f.metadata)?.number == i + 1)
            #expect((f.metadata["ingot.config"] != nil) == (i == 0))
            #expect(f.metadata["ingot.provenance"] != nil)
        }
    }

    @Test func theDirectoryAndAnyShardOpenTheModel() throws {
        let dir = KitFixtures.tempDir()
        _ = try convert(dir + "/model.ingot")
        let viaIndex = try openModelSource(path: dir + "/model.ingot.index.json")
        try expectSameTensors(viaIndex, try openModelSource(path: dir))
        let second = try openModelSource(path: dir + "/" + (try files(dir)[1]))
        try expectSameTensors(viaIndex, second)
        #expect(second.warnings.first?.contains("opened the whole model through model.ingot.index.json") == true)
    }

    @Test func aShardWithoutItsIndexOpensAloneWithAWarning() throws {
        let dir = KitFixtures.tempDir()
        _ = try convert(dir + "/model.ingot")
        try FileManager.default.removeItem(atPath: dir + "/model.ingot.index.json")
        let first = try files(dir)[0]
        let lone = try openModelSource(path: dir + "/" + first)
        #expect(lone.descriptors.count == (try IngotFile(path: dir + "/" + first)).tensors.count)
        #expect(lone.warnings.first?.contains("this shard's tensors only") == true)
    }

    @Test func partsWrittenSeparatelyAreByteIdenticalToOneRun() throws {
        let whole = KitFixtures.tempDir(), parted = KitFixtures.tempDir()
        _ = try convert(whole + "/model.ingot")
        var written = 0
        for k in 1...3 {
            let r = try convert(parted + "/model.ingot", part: ConvertPart(index: k, count: 3))
            written += r.files.count
        }
        #expect(!FileManager.default.fileExists(atPath: parted + "/model.ingot.index.json"))
        let report = try ShardIndexer.index(directory: parted)
        #expect(report.shards.count == written)
        #expect(try files(whole) == files(parted))
        for name in try files(whole) { #expect(bytes(whole + "/" + name) == bytes(parted + "/" + name), "\(name)") }
    }

    @Test func aPartReadsAndRecordsOnlyItsSourceFiles() throws {
        // A source with several weight files: each output shard's provenance names the source shards its tensors
        // came from (plus config and tokenizer), never all of them.
        let src = KitFixtures.tempDir() + "/hf/"
        var r = ConvertRequest(source: KitFixtures.llama, output: src)
        r.maxShardBytes = 30_000
        _ = try Converter.convert(r)
        let srcShards = try files(src).filter { $0.hasSuffix(".safetensors") }
        #expect(srcShards.count > 2)
        let out = KitFixtures.tempDir()
        _ = try convert(out + "/model.ingot", part: ConvertPart(index: 1, count: 4), source: src, compress: false)
        let first = try IngotFile(path: out + "/" + (try files(out)[0]))
        let listed = first.metadata["ingot.provenance"]?.objectValue?["files"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue } ?? []
        #expect(listed.contains("config.json"))
        let listedShards = listed.filter { $0.hasSuffix(".safetensors") }
        #expect(!listedShards.isEmpty && listedShards.count < srcShards.count)
    }

    @Test func aMissingShardIsOneErrorNamingIt() throws {
        let dir = KitFixtures.tempDir()
        _ = try convert(dir + "/model.ingot")
        let gone = try files(dir)[1]
        try FileManager.default.removeItem(atPath: dir + "/" + gone)
        let e = #expect(throws: FileError.self) { try openModelSource(path: dir) }
        #expect(e?.path.hasSuffix(gone) == true)
        #expect(e?.description.contains("shard 2 of") == true)
    }

    @Test func swappedShardsAreCaught() throws {
        let dir = KitFixtures.tempDir()
        _ = try convert(dir + "/model.ingot")
        let names = try files(dir)
        let (a, b) = (dir + "/" + names[0], dir + "/" + names[1])
        try FileManager.default.moveItem(atPath: a, toPath: dir + "/tmp")
        try FileManager.default.moveItem(atPath: b, toPath: a)
        try FileManager.default.moveItem(atPath: dir + "/tmp", toPath: b)
        let e = #expect(throws: FileError.self) { try openModelSource(path: dir) }
        #expect(e?.path == a)
        #expect(e?.description.contains("not the file the index recorded") == true)
    }

    @Test func aShardOfAnotherPlanIsRefusedByTheIndexer() throws {
        let dir = KitFixtures.tempDir()
        _ = try convert(dir + "/model.ingot", part: ConvertPart(index: 1, count: 2))
        _ = try convert(dir + "/model.ingot", part: ConvertPart(index: 2, count: 2))
        let second = dir + "/" + (try files(dir))[1]
        try MetadataRewriter.rewrite(path: second) { meta in
            var stamp = meta[ShardStamp.key]?.objectValue ?? JSONObject()
            stamp["plan"] = .string("0123456789abcdef")
            meta[ShardStamp.key] = .object(stamp)
        }
        let e = #expect(throws: FileError.self) { try ShardIndexer.index(directory: dir) }
        #expect(e?.path == second)
        #expect(e?.description.contains("plan 0123456789abcdef") == true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/model.ingot.index.json"))
    }

    @Test func resumeKeepsCompleteShardsAndWritesTheRest() throws {
        let whole = KitFixtures.tempDir(), resumed = KitFixtures.tempDir()
        _ = try convert(whole + "/model.ingot")
        _ = try convert(resumed + "/model.ingot", part: ConvertPart(index: 1, count: 2))
        let kept = try files(resumed)
        // Without --resume the existing shards are refused.
        #expect(throws: PipelineError.self) { try convert(resumed + "/model.ingot") }
        let report = try convert(resumed + "/model.ingot", resume: true)
        #expect(report.warnings.contains { $0.message.contains("kept \(kept.count) complete shard") })
        for name in try files(whole) { #expect(bytes(whole + "/" + name) == bytes(resumed + "/" + name), "\(name)") }
    }

    @Test func resumeRefusesADamagedShard() throws {
        let dir = KitFixtures.tempDir()
        _ = try convert(dir + "/model.ingot", part: ConvertPart(index: 1, count: 2), compress: false)
        let first = dir + "/" + (try files(dir)[0])
        var d = bytes(first)
        d[d.count - 3] ^= 0x40  // a tensor byte: the header stays valid, a checksum does not
        try d.write(to: URL(fileURLWithPath: first))
        let e = #expect(throws: FileError.self) { try convert(dir + "/model.ingot", resume: true, compress: false) }
        #expect(e?.path == first)
        #expect(e?.description.contains("checksum mismatch") == true)
    }

    @Test func checkProvesEveryShard() throws {
        let dir = KitFixtures.tempDir()
        _ = try convert(dir + "/model.ingot", compress: false)
        let ok = try CheckReport.check(path: dir)
        #expect(ok.shards == (try files(dir)).count - 1)
        let last = dir + "/" + (try files(dir)).filter { $0.hasSuffix(".ingot") }.last!
        var d = bytes(last)
        d[d.count - 1] ^= 0x01
        try d.write(to: URL(fileURLWithPath: last))
        // The size and header are unchanged, so the model opens; the tensor's checksum fails, naming the shard.
        let e = #expect(throws: FileError.self) { try CheckReport.check(path: dir) }
        #expect(e?.path == last)
    }

    @Test func hostileIndexesAreRefused() throws {
        let dir = KitFixtures.tempDir()
        _ = try convert(dir + "/model.ingot")
        let index = dir + "/model.ingot.index.json"
        let good = String(decoding: bytes(index), as: UTF8.self)
        let cases: [(String, String)] = [
            ("{", "not valid JSON"),
            ("[]", "top level"),
            (good.replacingOccurrences(of: "\"ingot-shards\"", with: "\"other\""), "format"),
            (good.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2"), "version"),
            (good.replacingOccurrences(of: "\"file\": \"model-00001", with: "\"file\": \"../model-00001"), "plain name"),
            (good.replacingOccurrences(of: "\"header_xxh3\": \"", with: "\"header_xxh3\": \"zz"), "header_xxh3"),
            (good.replacingOccurrences(of: "\"tensors\": ", with: "\"tensors\": 1"), "weight_map has"),
        ]
        for (text, expected) in cases {
            try Data(text.utf8).write(to: URL(fileURLWithPath: index))
            let e = #expect(throws: FileError.self) { try openModelSource(path: dir) }
            #expect(e?.path == index)
            #expect(e?.description.contains(expected) == true, "\(expected): \(e?.description ?? "")")
        }
    }

    @Test func huggingFaceShardsLoadBack() throws {
        let dir = KitFixtures.tempDir() + "/hf/"
        var r = ConvertRequest(source: KitFixtures.llama, output: dir)
        r.maxShardBytes = Self.maxBytes
        _ = try Converter.convert(r)
        let names = try files(dir)
        #expect(names.contains("model.safetensors.index.json"))
        #expect(names.contains("config.json") && names.contains("tokenizer.json"))
        #expect(!names.contains("model.safetensors"))
        let index = try JSONParser.parse(Array(bytes(dir + "model.safetensors.index.json"))).objectValue
        let total = index?["metadata"]?.objectValue?["total_size"]?.intValue
        let src = try openModelSource(path: KitFixtures.llama)
        #expect(total == Int64(src.descriptors.reduce(0) { $0 + $1.layout.byteCount }))
        try expectSameTensors(src, try openModelSource(path: dir))
        // An unsharded export into the same directory would be shadowed by the index (and the other way round).
        let e = #expect(throws: FileError.self) {
            try Converter.convert(ConvertRequest(source: KitFixtures.llama, output: dir, overwrite: true))
        }
        #expect(e?.description.contains("model.safetensors.index.json") == true)
    }

    @Test func splitGGUFRoundTrips() throws {
        let dir = KitFixtures.tempDir()
        var r = ConvertRequest(source: KitFixtures.llama, output: dir + "/llama.gguf")
        r.maxShardBytes = Self.maxBytes
        let report = try Converter.convert(r)
        let splits = try files(dir)
        #expect(splits.count > 2 && report.files.count == splits.count)
        #expect(splits.allSatisfy { ShardPlan.parseFileName($0, ext: "gguf")?.stem == "llama" })
        _ = try Converter.convert(ConvertRequest(source: KitFixtures.llama, output: dir + "/whole.gguf"))
        let whole = try GGUFFile(path: dir + "/whole.gguf")
        let split = try GGUFFile(path: dir + "/" + splits[0])
        // The split model has the unsplit one's pairs (split.* removed) and tensors, byte for byte.
        #expect(split.keyValues == whole.keyValues)
        try expectSameTensors(whole, split)
        // Each file carries llama.cpp's split keys; the later ones no other pairs.
        let mapped = try MappedFile(path: dir + "/" + splits[1])
        let second = try withExtendedLifetime(mapped) { try GGUFHeader(file: mapped.bytes) }
        #expect(Set(second.keyValues.map(\.key)) == GGUFSplit.keys)
        #expect(second.keyValues.first { $0.key == GGUFSplit.numberKey }?.value == .uint16(1))
        // Opening a later split names the first; a missing split is an error naming it.
        #expect(throws: FileError.self) { try openModelSource(path: dir + "/" + splits[1]) }
        try FileManager.default.removeItem(atPath: dir + "/" + splits[2])
        let e = #expect(throws: FileError.self) { try openModelSource(path: dir + "/" + splits[0]) }
        #expect(e?.path.hasSuffix(splits[2]) == true)
    }

    @Test func requestsThatCannotShardAreRefused() throws {
        var r = ConvertRequest(source: KitFixtures.llama, output: KitFixtures.tempDir() + "/x.safetensors")
        r.maxShardBytes = 1000
        #expect(throws: PipelineError.shardsNeedDirectory(r.output)) { try r.validated() }
        r = ConvertRequest(source: KitFixtures.llama, output: KitFixtures.tempDir() + "/x.ingot")
        r.part = ConvertPart(index: 1, count: 2)
        #expect(throws: PipelineError.partsNeedIngotShards) { try r.validated() }
        r = ConvertRequest(source: KitFixtures.llama, output: KitFixtures.tempDir() + "/")
        r.format = .ingot
        #expect(throws: PipelineError.directoryNeedsShardSize(.ingot)) { try r.validated() }
        #expect(ConvertPart(parsing: "3/2") == nil && ConvertPart(parsing: "0/2") == nil && ConvertPart(parsing: "2/2") != nil)
    }

    @Test func inspectListsTheFilesAModelSpans() throws {
        let dir = KitFixtures.tempDir()
        _ = try convert(dir + "/model.ingot")
        let shards = try files(dir).filter { $0.hasSuffix(".ingot") }
        let viaShard = try InspectReport.inspect(path: dir + "/" + shards[0])
        #expect(viaShard.files == shards)
        #expect(viaShard.warnings.count == 1)
        #expect(try InspectReport.inspect(path: KitFixtures.llama).files == nil)
    }

    @Test func aGGUFThroughSplitsAndShardsComesBackByteIdentical() throws {
        // llama.cpp's Q8_0 file → split GGUF → sharded .ingot → one GGUF: the original bytes, every step lossless.
        let dir = KitFixtures.tempDir()
        var r = ConvertRequest(source: KitFixtures.llamaQ8, output: dir + "/split/m.gguf")
        r.maxShardBytes = 30_000
        _ = try Converter.convert(r)
        let first = dir + "/split/" + (try files(dir + "/split"))[0]
        r = ConvertRequest(source: first, output: dir + "/shards/model.ingot", compression: .zstd())
        r.maxShardBytes = 30_000
        _ = try Converter.convert(r)
        _ = try Converter.convert(ConvertRequest(source: dir + "/shards", output: dir + "/back.gguf"))
        #expect(bytes(dir + "/back.gguf") == bytes(KitFixtures.llamaQ8))
    }

    @Test func aFailedHuggingFaceShardedExportPutsNoShardInPlace() throws {
        // safetensors shards carry no proof of belonging together: they appear together or not at all.
        let dir = KitFixtures.tempDir() + "/hf"
        let src = try openModelSource(path: KitFixtures.llama)
        let w = try HFDirectoryWriter(path: dir, metadata: src.metadata, tensors: src.descriptors, maxShardBytes: 30_000)
        let failing = ClosureSource(src.descriptors) { d in
            if d.name == src.descriptors.last?.name { throw IngotError.io("disk gone") }
            return try src.load(d.name)
        }
        #expect(throws: IngotError.self) { try w.write(failing) }
        let left = (try? files(dir)) ?? []
        #expect(!left.contains { $0.hasSuffix(".safetensors") || $0.hasSuffix(".json") }, "\(left)")
    }
}
