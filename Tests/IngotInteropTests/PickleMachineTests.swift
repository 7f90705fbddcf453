import Foundation
import IngotFormat
import Testing

@testable import IngotInterop

/// The pickle machine on hand-written pickles: what it evaluates, and one test per rule for what it refuses.
/// Nothing in a pickle is ever executed: a disallowed global is an error at the GLOBAL opcode, before any call.
@Suite struct PickleMachineTests {
    // MARK: Values

    @Test func evaluatesTheOpcodesStateDictsUse() throws {
        let p = PickleBuilder()
        p.emptyDict().put(0).mark()
        p.string("i").int(7).string("neg").raw([0x4A] + le(Int32(-5))).string("big").int(70_000)
        p.string("f").raw([0x47, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0])  // BINFLOAT 1.5, big-endian
        p.string("t").bool(true).string("n").none()
        p.string("short").raw([0x8C, 2, 0x68, 0x69])  // SHORT_BINUNICODE "hi"
        p.string("tuple").int(1).int(2).raw([0x86])  // TUPLE2
        p.string("list").emptyList().put(1).int(3).append()
        p.setItems().stop()
        let r = try runPickle(p.bytes)
        guard case let .dict(id) = r.root else { Issue.record("root is \(r.root)"); return }
        let d = r.dicts[id]
        let keys = d.keys.compactMap { if case let .string(s) = $0 { s } else { nil } }
        #expect(keys == ["i", "neg", "big", "f", "t", "n", "short", "tuple", "list"])
        #expect(d.values[0] == .int(7) && d.values[1] == .int(-5) && d.values[2] == .int(70_000))
        #expect(d.values[3] == .float(1.5) && d.values[4] == .bool(true) && d.values[5] == .none)
        #expect(d.values[6] == .string("hi"))
        #expect(d.values[7] == .tuple(PickleTuple([.int(1), .int(2)])))
        if case let .list(l) = d.values[8] { #expect(r.lists[l] == [.int(3)]) } else { Issue.record("not a list") }
    }

    @Test func long1DecodesTwosComplementAndKeepsHugeValuesOpaque() {
        func long(_ b: [UInt8]) -> PickleValue { b.withUnsafeBytes { PickleMachine.decodeLong($0) } }
        #expect(long([]) == .int(0))
        #expect(long([0xFF]) == .int(-1))
        #expect(long([0x00, 0x80, 0x00]) == .int(32768))
        #expect(long([0x00, 0x80]) == .int(-32768))
        #expect(long([0x00, 0x80, 0xFF]) == .int(-32768))
        #expect(long(le(Int64.min)) == .int(Int.min))
        #expect(long(le(Int64.max) + [0x00]) == .int(Int.max))
        #expect(long(le(UInt64.max) + [0x00]) == .bigInt)  // 2^64 - 1 does not fit
        #expect(long([UInt8](repeating: 0xFF, count: 20)) == .int(-1))
        #expect(long([UInt8](repeating: 0, count: 9) + [1]) == .bigInt)
    }

    @Test func memoizedContainersAreSharedAndMutatedInPlace() throws {
        // d = {}; outer = {"a": d, "b": d}; d["x"] = 1 after both references were stored.
        let p = PickleBuilder()
        p.emptyDict().mark().string("a").emptyDict().put(5).string("b").get(5).setItems()
        p.get(5).string("x").int(1).setItem().op(0x30)  // POP the extra reference
        p.stop()
        let r = try runPickle(p.bytes)
        guard case let .dict(outer) = r.root, case let .dict(a) = r.dicts[outer].values[0],
            case let .dict(b) = r.dicts[outer].values[1]
        else { Issue.record("shape"); return }
        #expect(a == b)
        #expect(r.dicts[a].values == [.int(1)])
    }

    @Test func settingAnExistingKeyReplacesItsValueInPlace() throws {
        let p = PickleBuilder()
        p.emptyDict().mark().string("a").int(1).string("b").int(2).string("a").int(3).setItems().stop()
        let r = try runPickle(p.bytes)
        guard case let .dict(id) = r.root else { return }
        #expect(r.dicts[id].keys == [.string("a"), .string("b")])
        #expect(r.dicts[id].values == [.int(3), .int(2)])
    }

    @Test func protocol4FramesMemoizeAndStackGlobalAreRead() throws {
        var b: [UInt8] = [0x80, 4, 0x95] + le(UInt64(0))
        b += [0x8C, 11] + Array("collections".utf8) + [0x94]
        b += [0x8C, 11] + Array("OrderedDict".utf8) + [0x94, 0x93, 0x94, 0x29, 0x52, 0x94, 0x2E]
        let r = try runPickle(b)
        guard case .dict = r.root else { Issue.record("root \(r.root)"); return }
    }

    @Test func aFrameLongerThanWhatRemainsIsRefusedNamingItsOffset() {
        // The attack campaign's frame: 2^62 bytes announced in a 20-byte pickle.
        let tail: [UInt8] = [0x7D, 0x2E]  // EMPTY_DICT STOP
        #expect(pickleError([0x80, 4, 0x95] + le(UInt64(1) << 62) + tail)
            == .frameBeyondEnd(offset: 2, length: 1 << 62, remaining: 2))
        #expect(pickleError([0x80, 4, 0x95] + le(UInt64.max) + tail) == .frameBeyondEnd(offset: 2, length: .max, remaining: 2))
        // One byte too many is refused; exactly what remains is a valid frame.
        #expect(pickleError([0x80, 4, 0x95] + le(UInt64(3)) + tail) == .frameBeyondEnd(offset: 2, length: 3, remaining: 2))
        #expect(pickleError([0x80, 4, 0x95] + le(UInt64(2)) + tail) == nil)
        #expect(PickleError.frameBeyondEnd(offset: 2, length: 1 << 62, remaining: 2).description
            == "pickle FRAME at byte 2 claims 4611686018427387904 bytes, but only 2 remain")
    }

    // MARK: Refused globals: never executed

    @Test func osSystemViaGlobalAndReduceIsRefused() {
        let p = PickleBuilder()
        p.global("os", "system").string("echo pwned").raw([0x85]).reduce().stop()
        #expect(pickleError(p.bytes) == .disallowedGlobal("os.system"))
    }

    @Test func builtinsEvalIsRefused() {
        let p = PickleBuilder()
        p.global("builtins", "eval").string("__import__('os').system('id')").raw([0x85]).reduce().stop()
        #expect(pickleError(p.bytes) == .disallowedGlobal("builtins.eval"))
    }

    @Test func builtinGetattrIsRefused() {
        let p = PickleBuilder()
        p.global("__builtin__", "getattr").stop()
        #expect(pickleError(p.bytes) == .disallowedGlobal("__builtin__.getattr"))
    }

    @Test func stackGlobalOfSubprocessIsRefused() {
        var b: [UInt8] = [0x80, 4]
        b += [0x8C, 10] + Array("subprocess".utf8) + [0x8C, 5] + Array("Popen".utf8) + [0x93, 0x2E]
        #expect(pickleError(b) == .disallowedGlobal("subprocess.Popen"))
    }

    @Test func reduceOfAnArbitraryClassIsRefused() {
        // What pickle writes for an object whose __reduce__ returns (mymodule.Exploit, ()).
        let p = PickleBuilder()
        p.emptyDict().string("x").global("__main__", "Exploit").emptyTuple().reduce().setItem().stop()
        #expect(pickleError(p.bytes) == .disallowedGlobal("__main__.Exploit"))
    }

    @Test func torchGlobalsOutsideTheAllowlistAreRefused() {
        let p = PickleBuilder()
        p.global("torch", "load").stop()
        #expect(pickleError(p.bytes) == .disallowedGlobal("torch.load"))
        let q = PickleBuilder()
        q.global("torch.serialization", "_get_layout").stop()
        #expect(pickleError(q.bytes) == .disallowedGlobal("torch.serialization._get_layout"))
    }

    @Test func allowlistedNonCallablesCannotBeCalled() {
        let p = PickleBuilder()
        p.global("torch", "FloatStorage").emptyTuple().reduce().stop()
        #expect(pickleError(p.bytes) == .notCallable("torch.FloatStorage"))
        let q = PickleBuilder()
        q.string("not a function").emptyTuple().reduce().stop()
        #expect(pickleError(q.bytes) == .notCallable("str"))
    }

    @Test func newobjOfAnythingButDictAndParameterIsRefused() {
        let p = PickleBuilder()
        p.global("torch", "Tensor").emptyTuple().op(0x81).stop()
        #expect(pickleError(p.bytes) == .notCallable("NEWOBJ of torch.Tensor"))
    }

    @Test func buildOnAStringIsRefused() {
        let p = PickleBuilder()
        p.string("s").emptyDict().build().stop()
        #expect(pickleError(p.bytes) == .buildNotAllowed("str"))
    }

    // MARK: Refused opcodes and malformed streams

    @Test func unknownOpcodeIsNamedWithItsOffset() {
        #expect(pickleError([0x80, 2, 0xFF]) == .unknownOpcode(0xFF, offset: 2))
    }

    @Test func instAndObjAreRefusedByName() {
        #expect(pickleError([0x80, 2] + Array("ios\nsystem\n".utf8)) == .unsupportedOpcode("INST", offset: 2))
        #expect(pickleError([0x80, 2, 0x28, 0x6F]) == .unsupportedOpcode("OBJ", offset: 3))
        #expect(pickleError([0x80, 2, 0x92]) == .unsupportedOpcode("NEWOBJ_EX", offset: 2))
        #expect(pickleError([0x80, 2] + Array("P0\n".utf8)) == .unsupportedOpcode("PERSID", offset: 2))
    }

    @Test func protocolNewerThan5IsRefused() {
        #expect(pickleError([0x80, 6, 0x4E, 0x2E]) == .unsupportedProtocol(6))
    }

    @Test func truncatedPickleFailsAtTheCut() {
        let p = PickleBuilder()
        p.emptyDict().string("key").int(1).setItem().stop()
        for k in 0..<p.bytes.count {
            let e = pickleError(Array(p.bytes.prefix(k)))
            guard case .truncated = e else { Issue.record("prefix \(k): \(String(describing: e))"); continue }
        }
        #expect(pickleError(Array(p.bytes.prefix(9))) == .truncated(offset: 3, what: "BINUNICODE needs 3 bytes, 1 remain"))
    }

    @Test func hugeBinunicodeLengthIsBoundedByTheBytesRemaining() {
        #expect(pickleError([0x80, 2, 0x58, 0xFF, 0xFF, 0xFF, 0xFF, 0x61]) ==
                .truncated(offset: 2, what: "BINUNICODE needs 4294967295 bytes, 1 remain"))
        // BINUNICODE8 with a length past Int.max.
        #expect(pickleError([0x80, 4, 0x8D] + le(UInt64.max) + [0x2E]) == .integerOverflow(offset: 2))
        #expect(pickleError([0x80, 4, 0x8E] + le(UInt64(1) << 62) + [0x2E]) ==
                .truncated(offset: 2, what: "BINBYTES8 needs 4611686018427387904 bytes, 1 remain"))
    }

    @Test func deepMarkNestingIsCapped() {
        let b: [UInt8] = [0x80, 2] + [UInt8](repeating: 0x28, count: 100_000) + [0x2E]
        #expect(pickleError(b) == .markTooDeep(cap: PickleLimits().maxMarks))
    }

    @Test func deepTupleNestingIsCapped() {
        // 1 wrapped in 100 000 TUPLE1s: freeing or comparing that would recurse 100 000 deep.
        let b: [UInt8] = [0x80, 2, 0x4B, 1] + [UInt8](repeating: 0x85, count: 100_000) + [0x2E]
        #expect(pickleError(b) == .nestingTooDeep(cap: PickleLimits().maxDepth))
    }

    @Test func stackAndMemoAndObjectCapsHold() {
        let limits = PickleLimits(maxStack: 100, maxMemo: 10, maxObjects: 10)
        #expect(pickleError([0x80, 2] + [UInt8](repeating: 0x4E, count: 200) + [0x2E], limits: limits) == .stackTooLarge(cap: 100))
        var memo: [UInt8] = [0x80, 2, 0x4E]
        for i in 0..<20 { memo += [0x71, UInt8(i)] }
        #expect(pickleError(memo + [0x2E], limits: limits) == .memoTooLarge(cap: 10))
        #expect(pickleError([0x80, 2] + [UInt8](repeating: 0x5D, count: 20) + [0x2E], limits: limits) == .tooManyObjects(cap: 10))
        #expect(pickleError([0x80, 2, 0x4E, 0x2E], limits: PickleLimits(maxBytes: 3)) == .tooLarge(size: 4, cap: 3))
    }

    @Test func stackUnderflowAndMissingMarkAreErrors() {
        #expect(pickleError([0x80, 2, 0x52]) == .stackUnderflow(opcode: "REDUCE", offset: 2))
        #expect(pickleError([0x80, 2, 0x74]) == .noMark(opcode: "TUPLE", offset: 2))
        // Items below a MARK are out of reach until the MARK is popped.
        #expect(pickleError([0x80, 2, 0x5D, 0x28, 0x61]) == .stackUnderflow(opcode: "APPEND", offset: 4))
    }

    @Test func memoGetOfAMissingIndexIsAnError() {
        #expect(pickleError([0x80, 2, 0x68, 9, 0x2E]) == .memoMissing(index: 9, offset: 2))
    }

    @Test func wrongContainerTypesAreErrors() {
        #expect(pickleError([0x80, 2, 0x7D, 0x4E, 0x61, 0x2E]) == .wrongType(context: "APPEND", expected: "list", found: "dict"))
        #expect(pickleError([0x80, 2, 0x5D, 0x4E, 0x4E, 0x73, 0x2E]) == .wrongType(context: "SETITEM", expected: "dict", found: "list"))
        #expect(pickleError([0x80, 2, 0x7D, 0x28, 0x4E, 0x75, 0x2E]) == .oddItemCount(offset: 5))
        #expect(pickleError([0x80, 2, 0x7D, 0x5D, 0x4E, 0x73, 0x2E]) == .unhashableKey("list"))
    }

    @Test func stopMustLeaveExactlyOneValueAndEndTheStream() {
        #expect(pickleError([0x80, 2, 0x4E, 0x4E, 0x2E]) == .badStop("2 values on the stack, expected 1"))
        #expect(pickleError([0x80, 2, 0x4E, 0x28, 0x2E]) == .badStop("1 MARKs are still open"))
        #expect(pickleError([0x80, 2, 0x4E, 0x2E, 0x00]) == .bytesAfterStop(1))
        #expect(pickleError([0x80, 2, 0x4E]) == .truncated(offset: 3, what: "no STOP opcode"))
    }

    @Test func invalidUTF8AndBadGlobalLinesAreErrors() {
        #expect(pickleError([0x80, 2, 0x8C, 2, 0xC3, 0x28, 0x2E]) == .badUTF8(offset: 2))
        #expect(pickleError([0x80, 2, 0x63] + Array("os".utf8)) == .truncated(offset: 2, what: "GLOBAL line has no newline"))
        #expect(pickleError([0x80, 2, 0x63] + [UInt8](repeating: 0x61, count: 600) + [0x0A]) ==
                .badGlobal(offset: 2, reason: "a line longer than 512 bytes"))
        #expect(pickleError([0x80, 4, 0x4B, 1, 0x4B, 2, 0x93]) ==
                .badGlobal(offset: 6, reason: "STACK_GLOBAL needs two strings, got int and int"))
    }

    @Test func persistentIdsOtherThanStoragesAreRefused() {
        let p = PickleBuilder()
        p.string("module").persid().stop()
        #expect(pickleError(p.bytes) == .badPersistentID("a str, not a tuple"))
        let q = PickleBuilder()
        q.mark().string("exec").global("torch", "FloatStorage").string("0").string("cpu").int(1).tuple().persid().stop()
        #expect(pickleError(q.bytes) == .badPersistentID("kind str is not 'storage'"))
        let r = PickleBuilder()
        r.mark().string("storage").string("FloatStorage").string("0").string("cpu").int(1).tuple().persid().stop()
        #expect(pickleError(r.bytes) == .badPersistentID("storage type str is not a storage class"))
    }

    @Test func rebuildTensorArgumentsAreChecked() {
        let p = PickleBuilder()
        p.global("torch._utils", "_rebuild_tensor_v2").mark().storage("FloatStorage", key: "0", numel: 4)
        p.int(0).ints([2, 2]).ints([2]).bool(false).none().tuple().reduce().stop()
        #expect(pickleError(p.bytes) == .badArguments(callable: "torch._utils._rebuild_tensor_v2",
                                                      reason: "size has 2 dimensions, stride 1"))
        let q = PickleBuilder()
        q.global("torch._utils", "_rebuild_tensor_v2").mark().string("not a storage").int(0).ints([1]).ints([1])
        q.bool(false).none().tuple().reduce().stop()
        #expect(pickleError(q.bytes) == .badArguments(callable: "torch._utils._rebuild_tensor_v2",
                                                      reason: "argument 1 is str, not a storage"))
    }

    @Test func randomBytesNeverTrap() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt8 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
        // Bias towards real opcodes so that runs get past the first byte.
        let ops: [UInt8] = [0x28, 0x29, 0x5D, 0x7D, 0x4E, 0x4B, 0x58, 0x71, 0x68, 0x73, 0x75, 0x61, 0x65, 0x74, 0x85,
                            0x86, 0x87, 0x52, 0x51, 0x62, 0x81, 0x93, 0x30, 0x31, 0x32, 0x2E]
        for _ in 0..<3000 {
            var b: [UInt8] = [0x80, 2]
            for _ in 0..<Int(next() % 64) { b.append(next() % 3 == 0 ? next() : ops[Int(next()) % ops.count]) }
            _ = pickleError(b)
        }
    }
}
