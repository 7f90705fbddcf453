import IngotFormat

/// A pickle reader that never executes anything: it interprets the opcodes `torch.save` writes (protocol 2, plus
/// the protocol 3–5 opcodes such files can hold) and evaluates calls only for the allowlisted globals of
/// `PickleGlobal`, with its own implementation of each. Any other global or opcode is a `PickleError` naming it.
///
/// Every read is bounded by the bytes remaining, every integer that becomes a length is overflow-checked, and the
/// stack, MARK depth, memo, tuple depth and object count are capped (`PickleLimits`).
struct PickleMachine {
    let bytes: UnsafeRawBufferPointer
    let limits: PickleLimits
    var pos = 0
    /// Offset of the opcode being executed, for errors.
    var opOffset = 0
    var stack: [PickleValue] = []
    /// Stack heights at each open MARK (Python keeps a stack of stacks; heights are the same thing, cheaper).
    var marks: [Int] = []
    var memo: [Int: PickleValue] = [:]
    var lists: [[PickleValue]] = []
    var dicts: [PickleDict] = []
    var tensors: [PickleTensor] = []
    var storages: [PickleStorage] = []
    /// Each distinct persistent id once (a hand-made pickle may repeat one instead of using the memo).
    var storageIndex: [PickleStorage: Int] = [:]
    var objects = 0

    /// Runs the pickle in `bytes` to its STOP and returns the value it built.
    static func run(_ bytes: UnsafeRawBufferPointer, limits: PickleLimits = PickleLimits()) throws(PickleError) -> PickleResult {
        guard bytes.count <= limits.maxBytes else { throw .tooLarge(size: bytes.count, cap: limits.maxBytes) }
        var m = PickleMachine(bytes: bytes, limits: limits)
        let root = try m.execute()
        return PickleResult(root: root, lists: m.lists, dicts: m.dicts, tensors: m.tensors, storages: m.storages)
    }

    private init(bytes: UnsafeRawBufferPointer, limits: PickleLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    // MARK: - The opcode loop

    private mutating func execute() throws(PickleError) -> PickleValue {
        while true {
            opOffset = pos
            guard pos < bytes.count else { throw .truncated(offset: pos, what: "no STOP opcode") }
            let op = bytes[pos]
            pos += 1
            switch op {
            case 0x80:  // PROTO
                let p = try u8("PROTO")
                guard p <= 5 else { throw .unsupportedProtocol(p) }
            case 0x95:  // FRAME: a length prefix for buffered reading; the opcodes inside are read as usual.
                // CPython reads the whole frame at once, so a frame longer than what remains is a truncated pickle
                // there; here too (and the pickle itself is capped by `limits.maxBytes`).
                let length = try uint(8, "FRAME")
                guard length <= UInt64(bytes.count - pos) else {
                    throw .frameBeyondEnd(offset: opOffset, length: length, remaining: bytes.count - pos)
                }
            case 0x2E:  // STOP
                guard marks.isEmpty else { throw .badStop("\(marks.count) MARKs are still open") }
                guard stack.count == 1, let result = stack.first else {
                    throw .badStop("\(stack.count) values on the stack, expected 1")
                }
                guard pos == bytes.count else { throw .bytesAfterStop(bytes.count - pos) }
                return result

            // Stack manipulation
            case 0x28:  // MARK
                guard marks.count < limits.maxMarks else { throw .markTooDeep(cap: limits.maxMarks) }
                marks.append(stack.count)
            case 0x30:  // POP: Python pops the top item, or the MARK itself when nothing is above it.
                if stack.count > (marks.last ?? 0) { stack.removeLast() } else { _ = try popMark("POP") }
            case 0x31:  // POP_MARK
                _ = try popMark("POP_MARK")
            case 0x32:  // DUP
                try push(try top("DUP"))

            // Constants and numbers
            case 0x4E: try push(.none)  // NONE
            case 0x88: try push(.bool(true))  // NEWTRUE
            case 0x89: try push(.bool(false))  // NEWFALSE
            case 0x4A:  // BININT: signed 32-bit
                try push(.int(Int(Int32(bitPattern: UInt32(try uint(4, "BININT"))))))
            case 0x4B: try push(.int(try u8("BININT1")))  // BININT1: unsigned 8-bit
            case 0x4D: try push(.int(Int(try uint(2, "BININT2"))))  // BININT2: unsigned 16-bit
            case 0x8A:  // LONG1
                let n = try u8("LONG1")
                try push(Self.decodeLong(try take(n, "LONG1")))
            case 0x8B:  // LONG4
                let n = Int(Int32(bitPattern: UInt32(try uint(4, "LONG4"))))
                guard n >= 0 else { throw .integerOverflow(offset: opOffset) }
                try push(Self.decodeLong(try take(n, "LONG4")))
            case 0x47:  // BINFLOAT: big-endian IEEE double
                try push(.float(Double(bitPattern: try uint(8, "BINFLOAT", bigEndian: true))))

            // Strings and bytes
            case 0x58: try push(.string(try string(try length(4, "BINUNICODE"), "BINUNICODE")))
            case 0x8C: try push(.string(try string(try u8("SHORT_BINUNICODE"), "SHORT_BINUNICODE")))
            case 0x8D: try push(.string(try string(try length(8, "BINUNICODE8"), "BINUNICODE8")))
            // Python 2 str: torch.load decodes these as text (encoding "utf-8").
            case 0x54: try push(.string(try string(try signedLength("BINSTRING"), "BINSTRING")))
            case 0x55: try push(.string(try string(try u8("SHORT_BINSTRING"), "SHORT_BINSTRING")))
            case 0x42: try push(.bytes(Array(try take(try length(4, "BINBYTES"), "BINBYTES"))))
            case 0x43: try push(.bytes(Array(try take(try u8("SHORT_BINBYTES"), "SHORT_BINBYTES"))))
            case 0x8E: try push(.bytes(Array(try take(try length(8, "BINBYTES8"), "BINBYTES8"))))

            // Tuples
            case 0x29: try push(.tuple(PickleTuple([])))  // EMPTY_TUPLE
            case 0x74: try push(try tuple(try popMark("TUPLE")))  // TUPLE
            case 0x85: try push(try tuple(try pop(1, "TUPLE1")))
            case 0x86: try push(try tuple(try pop(2, "TUPLE2")))
            case 0x87: try push(try tuple(try pop(3, "TUPLE3")))

            // Lists, dicts, sets
            case 0x5D: try push(.list(try newList([])))  // EMPTY_LIST
            case 0x61:  // APPEND
                let item = try pop("APPEND")
                let id = try listID(try top("APPEND"), "APPEND")
                lists[id].append(item)
            case 0x65:  // APPENDS
                let items = try popMark("APPENDS")
                let id = try listID(try top("APPENDS"), "APPENDS")
                lists[id].append(contentsOf: items)
            case 0x7D: try push(.dict(try newDict()))  // EMPTY_DICT
            case 0x73:  // SETITEM
                let value = try pop("SETITEM")
                let key = try pop("SETITEM")
                let id = try dictID(try top("SETITEM"), "SETITEM")
                try dicts[id].set(key, value)
            case 0x75:  // SETITEMS
                let items = try popMark("SETITEMS")
                guard items.count % 2 == 0 else { throw .oddItemCount(offset: opOffset) }
                let id = try dictID(try top("SETITEMS"), "SETITEMS")
                var i = 0
                while i < items.count {
                    try dicts[id].set(items[i], items[i + 1])
                    i += 2
                }
            case 0x8F: try push(.set(try newList([])))  // EMPTY_SET
            case 0x90:  // ADDITEMS
                let items = try popMark("ADDITEMS")
                guard case let .set(id) = try top("ADDITEMS") else {
                    throw .wrongType(context: "ADDITEMS", expected: "set", found: (try top("ADDITEMS")).typeName)
                }
                lists[id].append(contentsOf: items)
            case 0x91: try push(.set(try newList(try popMark("FROZENSET"))))  // FROZENSET

            // Memo
            case 0x71: try put(try u8("BINPUT"))
            case 0x72: try put(Int(try uint(4, "LONG_BINPUT")))
            case 0x94: try put(memo.count)  // MEMOIZE
            case 0x68: try get(try u8("BINGET"))
            case 0x6A: try get(Int(try uint(4, "LONG_BINGET")))

            // Globals and calls: the allowlist (PickleMachine+Calls.swift)
            case 0x63:  // GLOBAL: "module\nname\n"
                let module = try line("GLOBAL")
                let name = try line("GLOBAL")
                try push(.global(try resolve(module: module, name: name)))
            case 0x93:  // STACK_GLOBAL
                let pair = try pop(2, "STACK_GLOBAL")
                guard case let .string(module) = pair[0], case let .string(name) = pair[1] else {
                    throw .badGlobal(offset: opOffset, reason: "STACK_GLOBAL needs two strings, got \(pair[0].typeName) and \(pair[1].typeName)")
                }
                try push(.global(try resolve(module: module, name: name)))
            case 0x52:  // REDUCE
                let pair = try pop(2, "REDUCE")
                try push(try call(pair[0], pair[1]))
            case 0x81:  // NEWOBJ
                let pair = try pop(2, "NEWOBJ")
                try push(try newObject(pair[0], pair[1]))
            case 0x62:  // BUILD
                let state = try pop("BUILD")
                try build(try top("BUILD"), state: state)
            case 0x51:  // BINPERSID
                let pid = try pop("BINPERSID")
                try push(try persistentLoad(pid))

            default:
                if let name = Self.refused[op] { throw .unsupportedOpcode(name, offset: opOffset) }
                throw .unknownOpcode(op, offset: opOffset)
            }
        }
    }

    /// Real pickle opcodes that a torch state dict never needs. Text-mode (protocol 0) opcodes are harmless but
    /// unused; INST/OBJ/EXT* instantiate classes; the buffer opcodes reference out-of-band data.
    static let refused: [UInt8: String] = [
        0x69: "INST", 0x6F: "OBJ", 0x50: "PERSID", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x92: "NEWOBJ_EX",
        0x96: "BYTEARRAY8", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER", 0x49: "INT", 0x4C: "LONG", 0x46: "FLOAT",
        0x53: "STRING", 0x56: "UNICODE", 0x70: "PUT", 0x67: "GET", 0x6C: "LIST", 0x64: "DICT",
    ]

    // MARK: - Reading bytes (all bounded by what remains)

    private mutating func take(_ n: Int, _ what: String) throws(PickleError) -> UnsafeRawBufferPointer {
        guard let b = bytes.bounded(pos, n) else {
            throw .truncated(offset: opOffset, what: "\(what) needs \(n) bytes, \(bytes.count - pos) remain")
        }
        pos += n
        return b
    }

    private mutating func u8(_ what: String) throws(PickleError) -> Int { Int(try take(1, what)[0]) }

    /// An unsigned little-endian (or big-endian) integer of `n` ≤ 8 bytes.
    private mutating func uint(_ n: Int, _ what: String, bigEndian: Bool = false) throws(PickleError) -> UInt64 {
        let b = try take(n, what)
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(b[bigEndian ? n - 1 - i : i]) << (8 * i) }
        return v
    }

    /// An unsigned length of `n` bytes, as an Int (the read that uses it is bounded by the bytes remaining).
    private mutating func length(_ n: Int, _ what: String) throws(PickleError) -> Int {
        guard let v = Checked.int(try uint(n, what)) else { throw .integerOverflow(offset: opOffset) }
        return v
    }

    private mutating func signedLength(_ what: String) throws(PickleError) -> Int {
        let v = Int(Int32(bitPattern: UInt32(try uint(4, what))))
        guard v >= 0 else { throw .integerOverflow(offset: opOffset) }
        return v
    }

    private mutating func string(_ n: Int, _ what: String) throws(PickleError) -> String {
        let b = try take(n, what)
        guard let s = String(validating: b, as: UTF8.self) else { throw .badUTF8(offset: opOffset) }
        return s
    }

    /// One newline-terminated line of a GLOBAL (module or name): short, UTF-8, never empty.
    private mutating func line(_ what: String) throws(PickleError) -> String {
        let maxLine = 512
        let end = min(bytes.count, pos + maxLine)
        var i = pos
        while i < end, bytes[i] != 0x0A { i += 1 }
        guard i < end else {
            throw i == bytes.count ? .truncated(offset: opOffset, what: "\(what) line has no newline")
                : .badGlobal(offset: opOffset, reason: "a line longer than \(maxLine) bytes")
        }
        let b = try take(i - pos, what)
        pos += 1  // the newline
        guard !b.isEmpty, let s = String(validating: b, as: UTF8.self) else {
            throw .badGlobal(offset: opOffset, reason: "empty or non-UTF-8 name")
        }
        return s
    }

    /// A two's-complement little-endian integer of any length (LONG1/LONG4); beyond 64 bits it is an opaque leaf.
    static func decodeLong(_ b: UnsafeRawBufferPointer) -> PickleValue {
        guard let last = b.last else { return .int(0) }
        let negative = last & 0x80 != 0
        let n = b.count
        // Bytes past the eighth must be pure sign extension for the value to fit.
        if n > 8 {
            let fill: UInt8 = negative ? 0xFF : 0x00
            for i in 8..<n where b[i] != fill { return .bigInt }
            if (b[7] & 0x80 != 0) != negative { return .bigInt }
        }
        var v: UInt64 = negative ? ~0 : 0
        for i in 0..<min(n, 8) {
            v &= ~(UInt64(0xFF) << (8 * i))
            v |= UInt64(b[i]) << (8 * i)
        }
        return .int(Int(Int64(bitPattern: v)))
    }

    // MARK: - Stack, memo and arenas

    mutating func push(_ v: PickleValue) throws(PickleError) {
        guard stack.count < limits.maxStack else { throw .stackTooLarge(cap: limits.maxStack) }
        stack.append(v)
    }

    /// The top item above the last MARK.
    func top(_ op: String) throws(PickleError) -> PickleValue {
        guard stack.count > (marks.last ?? 0), let v = stack.last else { throw .stackUnderflow(opcode: op, offset: opOffset) }
        return v
    }

    mutating func pop(_ op: String) throws(PickleError) -> PickleValue {
        guard stack.count > (marks.last ?? 0), let v = stack.popLast() else { throw .stackUnderflow(opcode: op, offset: opOffset) }
        return v
    }

    /// The top `n` items above the last MARK, oldest first.
    mutating func pop(_ n: Int, _ op: String) throws(PickleError) -> [PickleValue] {
        guard stack.count - (marks.last ?? 0) >= n else { throw .stackUnderflow(opcode: op, offset: opOffset) }
        let items = Array(stack.suffix(n))
        stack.removeLast(n)
        return items
    }

    /// The items above the last MARK, which is removed.
    mutating func popMark(_ op: String) throws(PickleError) -> [PickleValue] {
        guard let m = marks.popLast() else { throw .noMark(opcode: op, offset: opOffset) }
        let items = Array(stack[m...])
        stack.removeSubrange(m...)
        return items
    }

    private mutating func put(_ index: Int) throws(PickleError) {
        let v = try top("PUT")
        if memo[index] == nil, memo.count >= limits.maxMemo { throw .memoTooLarge(cap: limits.maxMemo) }
        memo[index] = v
    }

    private mutating func get(_ index: Int) throws(PickleError) {
        guard let v = memo[index] else { throw .memoMissing(index: index, offset: opOffset) }
        try push(v)
    }

    func tuple(_ items: [PickleValue]) throws(PickleError) -> PickleValue {
        let t = PickleTuple(items)
        guard t.depth <= limits.maxDepth else { throw .nestingTooDeep(cap: limits.maxDepth) }
        return .tuple(t)
    }

    mutating func countObject() throws(PickleError) {
        guard objects < limits.maxObjects else { throw .tooManyObjects(cap: limits.maxObjects) }
        objects += 1
    }

    mutating func newList(_ items: [PickleValue]) throws(PickleError) -> Int {
        try countObject()
        lists.append(items)
        return lists.count - 1
    }

    mutating func newDict() throws(PickleError) -> Int {
        try countObject()
        dicts.append(PickleDict())
        return dicts.count - 1
    }

    private func listID(_ v: PickleValue, _ op: String) throws(PickleError) -> Int {
        guard case let .list(id) = v else { throw .wrongType(context: op, expected: "list", found: v.typeName) }
        return id
    }

    private func dictID(_ v: PickleValue, _ op: String) throws(PickleError) -> Int {
        guard case let .dict(id) = v else { throw .wrongType(context: op, expected: "dict", found: v.typeName) }
        return id
    }

    private func resolve(module: String, name: String) throws(PickleError) -> PickleGlobal {
        guard let g = PickleGlobal.resolve(module: module, name: name) else { throw .disallowedGlobal("\(module).\(name)") }
        return g
    }
}
