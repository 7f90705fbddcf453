import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// fixtures/pytorch/: checkpoints written by real `torch.save` (fixtures/generate_pytorch.py) and what torch read
/// back from them (expected.json).
enum TorchFixtures {
    static func path(_ name: String) -> String { Fixtures.path("pytorch/" + name) }

    static let expected: JSONObject = {
        let bytes = readBytes(path("expected.json"))
        return (try? JSONParser.parse(bytes))?.objectValue ?? JSONObject()
    }()

    static func file(_ name: String) -> JSONObject { expected["files"]?.objectValue?[name]?.objectValue ?? JSONObject() }
    static func tensors(_ name: String) -> JSONObject { file(name)["tensors"]?.objectValue ?? JSONObject() }
}

/// Checks every tensor of a checkpoint against expected.json: names, dtype, shape and XXH3-64 of the loaded bytes.
func expectMatchesTorch(_ source: any TensorSource, _ fixture: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let expected = TorchFixtures.tensors(fixture)
    #expect(expected.count > 0, "expected.json lists tensors for \(fixture)", sourceLocation: sourceLocation)
    #expect(Set(source.descriptors.map(\.name)) == Set(expected.keys), "tensor names", sourceLocation: sourceLocation)
    for d in source.descriptors {
        let e = ExpectedTensor(expected[d.name])
        #expect(e.dtype == d.layout.dtype, "dtype of \(d.name)", sourceLocation: sourceLocation)
        #expect(e.shape == d.layout.shape, "shape of \(d.name)", sourceLocation: sourceLocation)
        let buffer = try source.load(d.name)
        #expect(buffer.count == d.layout.byteCount, sourceLocation: sourceLocation)
        #expect(e.xxh3 == buffer.withBytes { XXH3.hash($0) }, "xxh3 of \(d.name)", sourceLocation: sourceLocation)
    }
}

/// Hand-written pickles: each method appends one opcode (with its argument) as CPython's pickler would write it,
/// and returns the builder so calls chain.
final class PickleBuilder {
    var bytes: [UInt8]

    init(protocol p: UInt8 = 2) { bytes = [0x80, p] }

    @discardableResult func raw(_ b: [UInt8]) -> Self { bytes += b; return self }
    @discardableResult func op(_ b: UInt8) -> Self { raw([b]) }
    @discardableResult func mark() -> Self { op(0x28) }
    @discardableResult func emptyDict() -> Self { op(0x7D) }
    @discardableResult func emptyList() -> Self { op(0x5D) }
    @discardableResult func emptyTuple() -> Self { op(0x29) }
    @discardableResult func tuple() -> Self { op(0x74) }
    @discardableResult func setItem() -> Self { op(0x73) }
    @discardableResult func setItems() -> Self { op(0x75) }
    @discardableResult func append() -> Self { op(0x61) }
    @discardableResult func reduce() -> Self { op(0x52) }
    @discardableResult func build() -> Self { op(0x62) }
    @discardableResult func persid() -> Self { op(0x51) }
    @discardableResult func none() -> Self { op(0x4E) }
    @discardableResult func bool(_ b: Bool) -> Self { op(b ? 0x88 : 0x89) }
    @discardableResult func stop() -> Self { op(0x2E) }
    @discardableResult func put(_ i: UInt8) -> Self { raw([0x71, i]) }
    @discardableResult func get(_ i: UInt8) -> Self { raw([0x68, i]) }

    @discardableResult func global(_ module: String, _ name: String) -> Self {
        raw([0x63] + Array(module.utf8) + [0x0A] + Array(name.utf8) + [0x0A])
    }

    @discardableResult func string(_ s: String) -> Self {
        let u = Array(s.utf8)
        return raw([0x58] + le(UInt32(u.count)) + u)
    }

    @discardableResult func int(_ i: Int) -> Self {
        if (0..<256).contains(i) { return raw([0x4B, UInt8(i)]) }
        if (0..<65536).contains(i) { return raw([0x4D] + le(UInt16(i))) }
        if let v = Int32(exactly: i) { return raw([0x4A] + le(v)) }
        return raw([0x8A, 8] + le(Int64(i)))
    }

    @discardableResult func ints(_ v: [Int]) -> Self {
        mark()
        for i in v { int(i) }
        return tuple()
    }

    /// `('storage', torch.<type>, key, 'cpu', numel)` then BINPERSID.
    @discardableResult func storage(_ type: String, key: String, numel: Int) -> Self {
        mark().string("storage").global("torch", type).string(key).string("cpu").int(numel).tuple().persid()
    }

    /// `_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`.
    @discardableResult func tensor(_ type: String, key: String, numel: Int, offset: Int = 0, size: [Int],
                                            stride: [Int]) -> Self {
        global("torch._utils", "_rebuild_tensor_v2").mark()
        storage(type, key: key, numel: numel)
        int(offset).ints(size).ints(stride).bool(false).global("collections", "OrderedDict").emptyTuple().reduce()
        return tuple().reduce()
    }
}

/// One tensor of a hand-made state dict.
struct TorchTensorSpec {
    var name: String
    var type = "FloatStorage"
    var key: String
    var numel: Int
    var offset = 0
    var size: [Int]
    var stride: [Int]
}

/// `{name: tensor, …}` as torch.save pickles a plain dict.
func stateDictPickle(_ tensors: [TorchTensorSpec]) -> [UInt8] {
    let p = PickleBuilder()
    p.emptyDict().mark()
    for t in tensors {
        p.string(t.name).tensor(t.type, key: t.key, numel: t.numel, offset: t.offset, size: t.size, stride: t.stride)
    }
    return p.setItems().stop().bytes
}

/// A torch.save-style zip: `<folder>/data.pkl`, `<folder>/data/<key>` for each storage, `byteorder`, `version`.
func checkpointZip(pickle: [UInt8], storages: [(String, [UInt8])], folder: String = "archive",
                   byteorder: String? = "little", extra: [ZipBuilder.Member] = []) -> [UInt8] {
    var members = [ZipBuilder.Member.stored(folder + "/data.pkl", pickle)]
    if let byteorder { members.append(.stored(folder + "/byteorder", Array(byteorder.utf8))) }
    for (key, bytes) in storages { members.append(.stored(folder + "/data/" + key, bytes)) }
    members.append(.stored(folder + "/version", Array("3\n".utf8)))
    return ZipBuilder(members: members + extra).build()
}

/// Opens `bytes` as a checkpoint (in memory) and loads every tensor.
@discardableResult
func openCheckpoint(_ bytes: [UInt8], limits: PickleLimits = PickleLimits()) throws -> PyTorchCheckpoint {
    let mapped = bytes.withUnsafeBytes { MappedFile(copying: $0, path: "test.pt") }
    let c = try PyTorchCheckpoint(mapped: mapped, pickleLimits: limits)
    for d in c.descriptors { _ = try c.load(d.name) }
    return c
}

/// Runs a pickle through the machine.
func runPickle(_ bytes: [UInt8], limits: PickleLimits = PickleLimits()) throws(PickleError) -> PickleResult {
    let copy = bytes.withUnsafeBytes { MappedFile(copying: $0, path: "pickle") }
    return try PickleMachine.run(copy.bytes, limits: limits)
}

/// The PickleError a pickle fails with (nil when it runs).
func pickleError(_ bytes: [UInt8], limits: PickleLimits = PickleLimits()) -> PickleError? {
    do { _ = try runPickle(bytes, limits: limits) } catch { return error }
    return nil
}

/// Float32 values as little-endian bytes.
func f32Bytes(_ v: [Float]) -> [UInt8] { rawBytes(v) }
