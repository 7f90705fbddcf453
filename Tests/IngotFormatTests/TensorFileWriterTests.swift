import Foundation
import Testing

@testable import IngotFormat

/// f32 tensors held in memory, recording what a writer loop does with them (loads, evictions) and failing on
/// request, so the shared loop's order and abort rules are observable.
final class RecordingSource: TensorSource {
    let path = "<memory>"
    let formatName = "memory"
    let metadata = JSONObject()
    let descriptors: [TensorDescriptor]
    private let values: [[Float]]
    var events: [String] = []
    var failOn: String? = nil

    init(_ tensors: [(String, [Float])]) throws {
        descriptors = try tensors.map { TensorDescriptor(name: $0.0, layout: try TensorLayout(name: $0.0, dtype: .f32, shape: [$0.1.count], groupSize: nil)) }
        values = tensors.map(\.1)
    }

    struct Failed: Error {}

    func load(_ name: String) throws -> TensorBuffer {
        events.append("load \(name)")
        if name == failOn { throw Failed() }
        guard let i = descriptors.firstIndex(where: { $0.name == name }) else { throw IngotError.noSuchTensor(name) }
        return values[i].withUnsafeBytes { TensorBuffer(copying: $0) }
    }

    func evict(_ name: String) { events.append("evict \(name)") }
}

/// The writer protocol's shared tail: the one write loop, abort on error, refusal after the end, and the planned
/// (header-first) writer's rule that every tensor is exactly the next one its header lists.
@Suite struct TensorFileWriterTests {
    func f32(_ name: String, _ n: Int) throws -> TensorDescriptor {
        TensorDescriptor(name: name, layout: try TensorLayout(name: name, dtype: .f32, shape: [n], groupSize: nil))
    }

    @Test func writeCopiesEverySourceTensorAndFinishes() throws {
        let dir = TempDir()
        let src = try RecordingSource([("a", weights(3)), ("b", weights(5, seed: 2))])
        try IngotWriter(path: dir.file("m.ingot")).write(src)
        let back = try IngotFile(path: dir.file("m.ingot"))
        #expect(back.descriptors == src.descriptors)
        for d in src.descriptors {
            #expect(try back.load(d.name).withBytes { Array($0) } == src.load(d.name).withBytes { Array($0) })
        }
    }

    @Test func theLoopEvictsEachTensorOnceItIsWritten() throws {
        let dir = TempDir()
        let src = try RecordingSource([("a", weights(3)), ("b", weights(4))])
        try IngotWriter(path: dir.file("m.ingot")).write(src)
        #expect(src.events == ["load a", "evict a", "load b", "evict b"])
    }

    @Test func aSourceErrorAbandonsTheOutputAndComesOutUnchanged() throws {
        let dir = TempDir()
        let original = try writeContainer([("x", weights(2))], in: dir)
        let src = try RecordingSource([("a", weights(3)), ("b", weights(4))])
        src.failOn = "b"
        #expect(throws: RecordingSource.Failed.self) { try IngotWriter(path: dir.file("t.ingot")).write(src) }
        #expect(readBytes(dir.file("t.ingot")) == original)
        #expect(dir.entries == ["t.ingot"])
    }

    @Test func anErrorAbandonsTheWriterAndLaterCallsAreRefused() throws {
        let dir = TempDir()
        let w = try IngotWriter(path: dir.file("t.ingot"))
        let v = weights(4)
        #expect(throws: FileError.self) { try v.withUnsafeBytes { try w.append(try f32("a", 5), bytes: $0) } }
        let again = #expect(throws: FileError.self) { try v.withUnsafeBytes { try w.append(try f32("a", 4), bytes: $0) } }
        #expect(again?.underlying as? TensorWriteError == .closed(committed: false))
        #expect(throws: FileError.self) { try w.finish() }
        #expect(dir.entries.isEmpty)
    }

    @Test func nothingCanBeAppendedAfterFinish() throws {
        let dir = TempDir()
        let w = try IngotWriter(path: dir.file("t.ingot"))
        try w.finish()
        let e = #expect(throws: FileError.self) { try [Float(1)].withUnsafeBytes { try w.append(try f32("a", 1), bytes: $0) } }
        #expect(e?.underlying as? TensorWriteError == .closed(committed: true))
        w.abort()
        #expect(dir.entries == ["t.ingot"], "abort after finish keeps the file")
    }

    // MARK: the planned writer

    func planned(_ plan: [TensorDescriptor], alignment: Int = 1, in dir: TempDir) throws -> PlannedTensorWriter {
        try PlannedTensorWriter(path: dir.file("p.bin"), header: [0xAA, 0xBB, 0xCC], plan: plan, alignment: alignment)
    }

    @Test func plannedTensorsFollowTheHeaderEachPaddedToTheAlignment() throws {
        let dir = TempDir()
        let plan = [TensorDescriptor(name: "a", layout: try TensorLayout(name: "a", dtype: .u8, shape: [3], groupSize: nil)),
                    TensorDescriptor(name: "b", layout: try TensorLayout(name: "b", dtype: .u8, shape: [4], groupSize: nil))]
        let w = try planned(plan, alignment: 4, in: dir)
        try [UInt8](arrayLiteral: 1, 2, 3).withUnsafeBytes { try w.append(plan[0], bytes: $0) }
        try [UInt8](arrayLiteral: 4, 5, 6, 7).withUnsafeBytes { try w.append(plan[1], bytes: $0) }
        try w.finish()
        #expect(readBytes(dir.file("p.bin")) == [0xAA, 0xBB, 0xCC, 1, 2, 3, 0, 4, 5, 6, 7])
    }

    @Test func aTensorThatIsNotTheNextPlannedOneIsRefused() throws {
        let dir = TempDir()
        let plan = [try f32("a", 2), try f32("b", 2)]
        let v = [Float(1), 2]
        for wrong in [try f32("b", 2), try f32("a", 3)] {
            let w = try planned(plan, in: dir)
            let e = #expect(throws: FileError.self) { try v.withUnsafeBytes { try w.append(wrong, bytes: $0) } }
            #expect(e?.underlying as? TensorWriteError == .notPlanned(tensor: wrong.name, layout: wrong.layout, planned: plan[0]))
        }
        let w = try planned([plan[0]], in: dir)
        try v.withUnsafeBytes { try w.append(plan[0], bytes: $0) }
        let extra = #expect(throws: FileError.self) { try v.withUnsafeBytes { try w.append(plan[1], bytes: $0) } }
        #expect(extra?.underlying as? TensorWriteError == .notPlanned(tensor: "b", layout: plan[1].layout, planned: nil))
        #expect(dir.entries.isEmpty)
    }

    @Test func bytesOfAnotherSizeThanTheLayoutAreRefused() throws {
        let dir = TempDir()
        let w = try planned([try f32("a", 2)], in: dir)
        let e = #expect(throws: FileError.self) { try [Float(1)].withUnsafeBytes { try w.append(try f32("a", 2), bytes: $0) } }
        #expect(e?.underlying as? TensorWriteError == .sizeMismatch(tensor: "a", count: 4, expected: 8))
        #expect(dir.entries.isEmpty)
    }

    @Test func finishingBeforeEveryPlannedTensorIsRefused() throws {
        let dir = TempDir()
        let w = try planned([try f32("a", 1), try f32("b", 1)], in: dir)
        try [Float(1)].withUnsafeBytes { try w.append(try f32("a", 1), bytes: $0) }
        let e = #expect(throws: FileError.self) { try w.finish() }
        #expect(e?.underlying as? TensorWriteError == .incomplete(missing: 1, next: "b"))
        #expect(dir.entries.isEmpty)
    }

    @Test func droppingAPlannedWriterLeavesNothing() throws {
        let dir = TempDir()
        do { _ = try planned([try f32("a", 1)], in: dir) }
        #expect(dir.entries.isEmpty)
    }
}

/// `JSONWriter.encode(_:indent:)`: the layout transformers' config files have (Python's `json.dumps(indent=2)`).
@Suite struct IndentedJSONTests {
    @Test func membersOnTheirOwnLinesAndEmptyContainersInline() throws {
        let v = JSONValue.object(JSONObject([
            ("a", .int(1)), ("b", .array([.double(1e-12), .string("x\n")])), ("c", .object(JSONObject())), ("d", .array([])),
            ("e", .object(JSONObject([("f", .null)]))),
        ]))
        let expected = "{\n  \"a\": 1,\n  \"b\": [\n    1e-12,\n    \"x\\n\"\n  ],\n  \"c\": {},\n  \"d\": [],\n  \"e\": {\n    \"f\": null\n  }\n}"
        #expect(try JSONWriter.encode(v, indent: 2) == expected)
        #expect(try JSONParser.parse(Array(expected.utf8)) == v)
    }
}
