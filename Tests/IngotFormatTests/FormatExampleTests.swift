import Foundation
import Testing
@testable import IngotFormat

/// specs/format-example.md cannot drift from the writer: this writes the example file the way the document says
/// (IngotWriter, fixed metadata, zstd level 3, chunks of 64 bytes) and checks the document against its bytes:
/// - every hex-dump line (`OFFSET: hex…  annotation`) against the bytes at that offset, and each dump block for
///   contiguity, so together with the header JSON and the stated zero padding every byte of the file is shown;
/// - the header JSON block against the header bytes;
/// - the numbers in the prose and the annotations (sizes, offsets, N, checksums, chunk sizes, plane directories,
///   the entropy streams' methods, frequencies and states) against values parsed from the file.
/// When the writer changes, this fails: regenerate the dumps with `xxd` and update the annotations.
@Suite struct FormatExampleTests {
    static let docPath: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/specs/format-example.md"
    }()

    /// The example, written exactly as the document's "Regenerating" section does.
    static func writeExample(to path: String, threads: Int = Parallel.cpuCount) throws -> [UInt8] {
        let w = try IngotWriter(path: path,
                                options: .init(compression: CompressionOptions(level: 3, chunkBytes: 64), threads: threads),
                                metadata: JSONObject([("arch", .string("demo"))]))
        let norm: [Float] = [1.0, 0.5, -2.0, 0.25]
        var embed = [UInt16](repeating: 0, count: 64)
        embed[0] = 0x3f80
        embed[63] = 0xbf00
        try norm.withUnsafeBytes {
            try w.append(TensorDescriptor(name: "norm.weight", layout: TensorLayout(name: "norm.weight", dtype: .f32, shape: [4], groupSize: nil)), bytes: $0)
        }
        try embed.withUnsafeBytes {
            try w.append(TensorDescriptor(name: "embed", layout: TensorLayout(name: "embed", dtype: .bf16, shape: [4, 16], groupSize: nil)), bytes: $0)
        }
        try w.finish()
        return readBytes(path)
    }

    /// What the test knows about the file, parsed from its bytes (not from the document).
    struct Facts {
        let bytes: [UInt8]
        let headerLength: Int
        let headerChecksum: UInt64
        let dataOffset: Int
        let header: IngotHeader
        /// Per chunk of `embed`: its file offset and, per plane, (codec, payload file offset, payload length).
        var chunks: [(offset: Int, planes: [(codec: UInt8, offset: Int, length: Int)])] = []
        var chunkSizes: [Int] = []

        init(_ b: [UInt8]) throws {
            bytes = b
            let pre = try b.withUnsafeBytes { try Preamble($0) }
            headerLength = Int(pre.headerLength)
            headerChecksum = pre.headerChecksum
            dataOffset = Int(pre.dataOffset)
            header = try Array(b[40..<(40 + headerLength)]).withUnsafeBytes { try IngotHeader(json: $0, minor: 0) }
            let e = header.tensors[1]
            guard case let .chunked(chunkBytes, _) = e.encoding else { return }
            let n = (e.layout.byteCount + chunkBytes - 1) / chunkBytes
            let base = dataOffset + e.offset
            var at = base + 4 * n
            for k in 0..<n {
                let size = Int(u32(base + 4 * k))
                chunkSizes.append(size)
                var planes: [(UInt8, Int, Int)] = []
                var p = at + 5 * 2
                for q in 0..<2 {
                    let len = Int(u32(at + 5 * q + 1))
                    planes.append((b[at + 5 * q], p, len))
                    p += len
                }
                chunks.append((at, planes))
                at += size
            }
        }

        func u32(_ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[o + $1]) << (8 * $1) } }
        var fileSize: Int { bytes.count }
        var headerEnd: Int { 40 + headerLength }
    }

    /// An entropy stream (specs/entropy.md), parsed as far as the annotations describe it.
    struct EntropyStream {
        var method: UInt8 = 0
        var constant: UInt8 = 0
        var lanes = 0
        var first = 0, last = 0
        var f = [Int](repeating: 0, count: 256)
        /// (first symbol, count) of each zero run, and the run byte r.
        var zeroRuns: [(symbol: Int, count: Int)] = []
        var states: [UInt32] = []
        var words = 0

        init(_ s: [UInt8]) {
            method = s[0]
            if method == 1 { constant = s[1]; return }
            lanes = Int(s[1])
            first = Int(s[2]); last = Int(s[3])
            var p = 4, sym = first
            while sym <= last {
                let b = s[p]
                if b == 0 {
                    let r = Int(s[p + 1])
                    zeroRuns.append((sym, r + 1))
                    sym += r + 1; p += 2
                } else if b < 0x80 {
                    f[sym] = Int(b); sym += 1; p += 1
                } else {
                    f[sym] = Int(b & 0x7f) << 8 | Int(s[p + 1]); sym += 1; p += 2
                }
            }
            for j in 0..<lanes {
                states.append((0..<4).reduce(0) { $0 | UInt32(s[p + 4 * j + $1]) << (8 * $1) })
            }
            words = (s.count - p - 4 * lanes) / 2
        }
    }

    struct DumpLine {
        let offset: Int
        let hex: String
        /// The annotation: the rest of the line and its continuation lines.
        var note: String
    }

    /// The dump lines of each fenced block that is not JSON, in order.
    static func dumpBlocks(_ doc: String) -> [[DumpLine]] {
        var blocks: [[DumpLine]] = []
        var current: [DumpLine]? = nil
        var inFence = false
        let lineRegex = /^([0-9a-f]{8}): +(.*)$/
        for line in doc.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if inFence, let c = current { blocks.append(c) }
                // Dumps are the fences without a language; json, swift and sh blocks are not.
                current = !inFence && line == "```" ? [] : nil
                inFence.toggle()
                continue
            }
            guard current != nil else { continue }
            if let m = line.wholeMatch(of: lineRegex) {
                // The hex region ends at the first run of two spaces; the annotation follows.
                let rest = String(m.2)
                let parts = rest.components(separatedBy: "  ")
                let note = parts.dropFirst().joined(separator: "  ").trimmingCharacters(in: .whitespaces)
                current!.append(DumpLine(offset: Int(m.1, radix: 16)!, hex: parts[0], note: note))
            } else if !current!.isEmpty {
                current![current!.count - 1].note += " " + line.trimmingCharacters(in: .whitespaces)
            }
        }
        return blocks.filter { !$0.isEmpty }
    }

    static func hexBytes(_ s: String) -> [UInt8]? {
        let h = s.filter { !$0.isWhitespace }
        guard h.count % 2 == 0, h.allSatisfy(\.isHexDigit) else { return nil }
        var out: [UInt8] = []
        var i = h.startIndex
        while i < h.endIndex {
            let j = h.index(i, offsetBy: 2)
            out.append(UInt8(h[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    /// The captures of the first match of `regex` in `text` (the test fails when the phrase is missing).
    static func captures(_ regex: String, in text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        guard let r = try? Regex(regex), let m = text.firstMatch(of: r) else {
            Issue.record("the document no longer says /\(regex)/", sourceLocation: sourceLocation)
            return []
        }
        return (1..<m.output.count).map { m.output[$0].substring.map(String.init) ?? "" }
    }

    let doc: String
    let facts: Facts

    init() throws {
        doc = try String(contentsOfFile: Self.docPath, encoding: .utf8)
        let dir = TempDir()
        facts = try Facts(Self.writeExample(to: dir.file("ex.ingot")))
    }

    @Test func exampleIsWhatTheWriterWrites() throws {
        // The writer's output is the same at any thread count.
        let dir = TempDir()
        #expect(try Self.writeExample(to: dir.file("one.ingot"), threads: 1) == facts.bytes)
        // And it is a valid file whose tensors are the ones the document describes.
        let f = try IngotFile(path: dir.file("one.ingot"))
        let norm = try f.load(f.tensors[0]).withBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(f.tensors.map(\.name) == ["norm.weight", "embed"])
        #expect(norm == [1.0, 0.5, -2.0, 0.25])
        let embed = try f.load(f.tensors[1]).withBytes { Array($0.bindMemory(to: UInt16.self)) }
        #expect(embed.enumerated().filter { $0.element != 0 }.map { [$0.offset, Int($0.element)] } == [[0, 0x3f80], [63, 0xbf00]])
        #expect(f.metadata == JSONObject([("arch", .string("demo"))]))
        // "Decoding chunk 0 …": the rotated values r and what rotating them back gives.
        let rotated = embed.map { ($0 << 1) | ($0 >> 15) }
        let r = doc.matches(of: /r = 0x([0-9a-f]{4})/).map { Int($0.1, radix: 16)! }
        #expect(r == [Int(rotated[0]), Int(rotated[63])])
        #expect(Self.captures(#"gives 0x([0-9a-f]{4}), bf16 1\.0"#, in: doc) == ["3f80"])
        #expect(Self.captures(#"rotated right 0x([0-9a-f]{4}) = bf16 −0\.5"#, in: doc) == ["bf00"])
    }

    @Test func everyDumpLineShowsTheFileBytes() throws {
        let blocks = Self.dumpBlocks(doc)
        #expect(blocks.count == 2, "the preamble and the data section dumps")
        var shown = 0
        for block in blocks {
            for (i, line) in block.enumerated() {
                let next = i + 1 < block.count ? block[i + 1].offset : nil
                if line.hex.hasPrefix("end of file") {
                    #expect(line.offset == facts.fileSize, "end of file at 0x\(String(line.offset, radix: 16))")
                    #expect(next == nil)
                    continue
                }
                let count: Int
                if line.hex.contains("...") {
                    // "0000 0000 ... (48 zero bytes)"
                    let n = Self.captures(#"\((\d+) zero bytes\)"#, in: line.hex)
                    count = Int(n.first ?? "") ?? -1
                    #expect(count > 0 && facts.bytes[line.offset..<(line.offset + count)].allSatisfy { $0 == 0 },
                            "0x\(String(line.offset, radix: 16)): \(count) zero bytes")
                } else {
                    let want = try #require(Self.hexBytes(line.hex), "0x\(String(line.offset, radix: 16)): not hex: \(line.hex)")
                    count = want.count
                    #expect(Array(facts.bytes[line.offset..<min(facts.bytes.count, line.offset + count)]) == want,
                            "0x\(String(line.offset, radix: 16)): document shows \(line.hex)")
                }
                if let next { #expect(line.offset + count == next, "0x\(String(line.offset, radix: 16)): a gap or overlap before the next line") }
                shown += count
            }
        }
        // The preamble and the whole data section are dumped.
        #expect(blocks.first?.first?.offset == 0)
        #expect(blocks.last?.first?.offset == facts.dataOffset)
        #expect(shown == 40 + facts.fileSize - facts.dataOffset)
    }

    @Test func headerJSONIsTheFileHeader() throws {
        let json = Self.captures(#"```json\n(.*)\n```"#, in: doc)
        #expect(json.first.map { Array($0.utf8) } == Array(facts.bytes[40..<facts.headerEnd]))
        // The rest of the header area is zero padding, as the document says.
        let pad = Self.captures(#"Bytes 0x([0-9a-f]+)–0x([0-9a-f]+) are zero padding up to `data_offset`"#, in: doc)
        #expect(pad.compactMap { Int($0, radix: 16) } == [facts.headerEnd, facts.dataOffset - 1])
        #expect(facts.bytes[facts.headerEnd..<facts.dataOffset].allSatisfy { $0 == 0 })
        let range = Self.captures(#"## Header \(bytes 0x28–0x([0-9a-f]+), (\d+) bytes of JSON\)"#, in: doc)
        #expect(range == [String(facts.headerEnd - 1, radix: 16), String(facts.headerLength)])
    }

    @Test func proseNumbersMatchTheFile() {
        let f = facts
        let size = Self.captures(#"A ([\d,]+)-byte file"#, in: doc)
        #expect(size.first?.replacingOccurrences(of: ",", with: "") == String(f.fileSize))
        #expect(Self.captures(#"header length N = 0x([0-9a-f]+) = (\d+)"#, in: doc)
                == [String(f.headerLength, radix: 16), String(f.headerLength)])
        #expect(Self.captures(#"header XXH3-64 = 0x([0-9a-f]{16})"#, in: doc) == [XXH3.hexString(f.headerChecksum)])
        #expect(XXH3.hash(Array(f.bytes[40..<f.headerEnd])) == f.headerChecksum)
        #expect(Self.captures(#"data_offset = 0x([0-9a-f]+) = (\d+) = align_up\(40 \+ (\d+), 4096\)"#, in: doc)
                == [String(f.dataOffset, radix: 16), String(f.dataOffset), String(f.headerLength)])
        #expect(f.dataOffset == (f.headerEnd + 4095) / 4096 * 4096)
        #expect(Self.captures(#"## Data section \(file offset 0x([0-9a-f]+) = data offset 0\)"#, in: doc)
                == [String(f.dataOffset, radix: 16)])

        let norm = f.header.tensors[0], embed = f.header.tensors[1]
        #expect(f.header.alignment == Int(Self.captures(#"- `alignment` (\d+):"#, in: doc).first ?? ""))
        #expect(Self.captures(#"`norm.weight`: (\d+) × (\d+) bytes = (\d+) = `length`"#, in: doc)
                == ["4", "4", String(norm.length)])
        #expect(norm.layout.byteCount == 16 && norm.encoding == .raw)
        #expect(Self.captures(#"`embed`: byte size (\d+) × 2 = (\d+); offset (\d+) = `align_up\(0 \+ (\d+), (\d+)\)`"#, in: doc)
                == ["64", String(embed.layout.byteCount), String(embed.offset), String(norm.length), String(f.header.alignment)])
        #expect(Self.captures(#"of the \*\*decoded\*\* bytes \(the (\d+) and (\d+) bytes\)"#, in: doc)
                == [String(norm.layout.byteCount), String(embed.layout.byteCount)])
        #expect(Self.captures(#"chunk size of (\d+) bytes, so it has (\w+) chunks"#, in: doc) == ["64", "two"])
        #expect(embed.encoding == .chunked(chunkBytes: 64, filter: .bytegroup) && f.chunks.count == 2)
        #expect(Self.captures(#"padding to data offset (\d+)"#, in: doc) == [String(embed.offset)])

        // The chunk table and the stored length.
        #expect(Self.captures(#"chunk table, n = ceil\((\d+) / (\d+)\) = (\d+)"#, in: doc)
                == [String(embed.layout.byteCount), "64", String(f.chunks.count)])
        #expect(Self.captures(#"chunk 0 stored size 0x([0-9a-f]+) = (\d+), chunk 1 0x([0-9a-f]+) = (\d+)"#, in: doc)
                == [String(f.chunkSizes[0], radix: 16), String(f.chunkSizes[0]), String(f.chunkSizes[1], radix: 16), String(f.chunkSizes[1])])
        #expect(Self.captures(#"4·2 \+ (\d+) \+ (\d+) = (\d+) = length"#, in: doc)
                == [String(f.chunkSizes[0]), String(f.chunkSizes[1]), String(embed.length)])
        #expect(8 + f.chunkSizes[0] + f.chunkSizes[1] == embed.length)
        #expect(Self.captures(#"end of file = data_offset \+ (\d+) \+ (\d+)"#, in: doc) == [String(embed.offset), String(embed.length)])
        #expect(f.dataOffset + embed.offset + embed.length == f.fileSize)
    }

    @Test func chunkAnnotationsMatchTheStreams() throws {
        let lines = try #require(Self.dumpBlocks(doc).last)
        for (k, chunk) in facts.chunks.enumerated() {
            // The directory line: "plane P codec C …, L bytes" for each plane.
            let dir = try #require(lines.first { $0.offset == chunk.offset }, "no dump line for chunk \(k)'s directory")
            #expect(dir.note.hasPrefix("chunk \(k) directory"), "\(dir.note)")
            let said = dir.note.matches(of: /plane (\d) codec (\d)(?: \(\w+\))?, (\d+) bytes/).map {
                [Int($0.1)!, Int($0.2)!, Int($0.3)!]
            }
            #expect(said == chunk.planes.enumerated().map { [$0.offset, Int($0.element.codec), $0.element.length] }, "\(dir.note)")

            for (p, plane) in chunk.planes.enumerated() {
                let line = try #require(lines.first { $0.offset == plane.offset }, "no dump line for chunk \(k) plane \(p)")
                #expect(line.note.hasPrefix("chunk \(k) plane \(p):"), "\(line.note)")
                let s = EntropyStream(Array(facts.bytes[plane.offset..<(plane.offset + plane.length)]))
                if s.method == 1 {
                    #expect(Self.captures(#"entropy method (\d) \(constant run\) of byte 0x([0-9a-f]{2})"#, in: line.note)
                            == ["1", String(format: "%02x", s.constant)])
                    continue
                }
                #expect(s.method == 2 && line.note.contains("rANS"), "\(line.note)")
                if line.note.contains("K = ") { #expect(Self.captures(#"K = (\d+) lane"#, in: line.note) == [String(s.lanes)]) }
                // Every frequency the note states, in both notations where given.
                let freqs = line.note.matches(of: /f\[0x([0-9a-f]{2})\] = (?:0x([0-9a-f]{4})(?: = (\d+))?|(\d+))/)
                #expect(!freqs.isEmpty)
                for m in freqs {
                    let sym = Int(m.1, radix: 16)!
                    let v = m.2.map { Int($0, radix: 16)! } ?? Int(m.4 ?? "")
                    #expect(s.f[sym] == v, "f[\(sym)] is \(s.f[sym]): \(line.note)")
                    if let d = m.3 { #expect(Int(d) == v) }
                }
                // The nonzero frequencies the note leaves out are none: it lists all of them.
                #expect(freqs.count == s.f.filter { $0 > 0 }.count, "\(line.note)")
                if line.note.contains("sum 4096") { #expect(s.f.reduce(0, +) == 4096) }
                if let m = line.note.firstMatch(of: /table first 0x([0-9a-f]{2}), last 0x([0-9a-f]{2})/) {
                    let said: [Int] = [Int(m.1, radix: 16)!, Int(m.2, radix: 16)!]
                    #expect(said == [s.first, s.last])
                }
                let runs = line.note.matches(of: /zero run of (\d+)|zero run 00 [0-9a-f]{2} \((\d+) symbols 0x([0-9a-f]{2})–0x([0-9a-f]{2})\)/)
                #expect(runs.count == s.zeroRuns.count, "\(line.note)")
                for (m, run) in zip(runs, s.zeroRuns) {
                    if let n = m.1 { #expect(Int(n) == run.count) }
                    if let n = m.2, let a = m.3, let b = m.4 {
                        let said: [Int] = [Int(n)!, Int(a, radix: 16)!, Int(b, radix: 16)!]
                        #expect(said == [run.count, run.symbol, run.symbol + run.count - 1])
                    }
                }
                #expect(Self.captures(#"state 0x([0-9a-f]{8})"#, in: line.note) == s.states.map { String(format: "%08x", $0) })
                if line.note.contains("no words") { #expect(s.words == 0) }
            }
        }
    }

    /// Every "0xH = D" the document writes states one number twice: the two agree.
    @Test func hexAndDecimalAgree() {
        let pairs = doc.matches(of: /0x([0-9a-f]+) = ([\d,]+)\b/)
        #expect(pairs.count >= 6)
        for m in pairs {
            #expect(Int(m.1, radix: 16) == Int(m.2.replacingOccurrences(of: ",", with: "")), "0x\(m.1) = \(m.2)")
        }
    }
}
