import IngotFormat

/// Everything that can be wrong with a pickle as `PickleMachine` reads it, one case per rule. The machine executes
/// nothing: an opcode or global outside its allowlist is one of these errors, never a call. `offset` is the byte
/// offset of the opcode in the pickle.
public enum PickleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The pickle is larger than the cap.
    case tooLarge(size: Int, cap: Int)
    /// The pickle ends inside an opcode's argument (or before STOP).
    case truncated(offset: Int, what: String)
    /// A FRAME whose length runs past the end of the pickle.
    case frameBeyondEnd(offset: Int, length: UInt64, remaining: Int)
    /// A byte that is not a pickle opcode.
    case unknownOpcode(UInt8, offset: Int)
    /// A real pickle opcode this reader refuses (text-mode protocol 0, extension registry, out-of-band buffers…).
    case unsupportedOpcode(String, offset: Int)
    /// PROTO announces a protocol newer than 5.
    case unsupportedProtocol(Int)
    /// GLOBAL or STACK_GLOBAL names something not on the allowlist (`os.system`, `builtins.eval`, any class).
    case disallowedGlobal(String)
    /// A GLOBAL line without a newline, too long, or not UTF-8; or STACK_GLOBAL with non-string operands.
    case badGlobal(offset: Int, reason: String)
    /// An opcode needs more stack items (above the last MARK) than there are.
    case stackUnderflow(opcode: String, offset: Int)
    /// An opcode that collects items up to a MARK finds no MARK.
    case noMark(opcode: String, offset: Int)
    /// More stack items than the cap.
    case stackTooLarge(cap: Int)
    /// More nested MARKs than the cap.
    case markTooDeep(cap: Int)
    /// Tuples nest deeper than the cap (their depth bounds every recursion over values).
    case nestingTooDeep(cap: Int)
    /// More memo entries than the cap.
    case memoTooLarge(cap: Int)
    /// BINGET/LONG_BINGET of an index nothing was stored at.
    case memoMissing(index: Int, offset: Int)
    /// More lists, dicts, tensors and storages than the cap.
    case tooManyObjects(cap: Int)
    /// A string that is not valid UTF-8.
    case badUTF8(offset: Int)
    /// A length or integer that does not fit in 64 bits where one is needed.
    case integerOverflow(offset: Int)
    /// An opcode or call got an operand of the wrong type (APPEND to a dict, REDUCE with a non-tuple, …).
    case wrongType(context: String, expected: String, found: String)
    /// SETITEMS with an odd number of items.
    case oddItemCount(offset: Int)
    /// A dict key that Python could not hash (a list or dict).
    case unhashableKey(String)
    /// REDUCE or NEWOBJ on a value that is allowlisted but not callable that way (a dtype, a storage type).
    case notCallable(String)
    /// An allowlisted callable with arguments it does not accept (wrong count, types or values).
    case badArguments(callable: String, reason: String)
    /// BINPERSID with an id other than `('storage', type, key, location, numel)`.
    case badPersistentID(String)
    /// BUILD on something other than a dict or tensor.
    case buildNotAllowed(String)
    /// STOP with other than exactly one value on the stack (or with an open MARK).
    case badStop(String)
    /// Bytes follow the STOP opcode.
    case bytesAfterStop(Int)

    public var description: String {
        switch self {
        case let .tooLarge(n, cap): "pickle of \(n) bytes exceeds the cap of \(cap)"
        case let .truncated(o, what): "pickle truncated at byte \(o): \(what)"
        case let .frameBeyondEnd(o, n, r): "pickle FRAME at byte \(o) claims \(n) bytes, but only \(r) remain"
        case let .unknownOpcode(b, o): "unknown pickle opcode 0x\(String(b, radix: 16)) at byte \(o)"
        case let .unsupportedOpcode(name, o): "pickle opcode \(name) at byte \(o) is not supported (never executed)"
        case let .unsupportedProtocol(p): "pickle protocol \(p) is not supported (0-5)"
        case let .disallowedGlobal(g): "pickle global \(quoted(g)) is not allowed (never executed; only state-dict types are)"
        case let .badGlobal(o, why): "bad pickle global at byte \(o): \(why)"
        case let .stackUnderflow(op, o): "pickle stack underflow in \(op) at byte \(o)"
        case let .noMark(op, o): "pickle \(op) at byte \(o) has no MARK"
        case let .stackTooLarge(cap): "pickle stack exceeds the cap of \(cap) items"
        case let .markTooDeep(cap): "pickle MARKs nest deeper than the cap of \(cap)"
        case let .nestingTooDeep(cap): "pickle tuples nest deeper than the cap of \(cap)"
        case let .memoTooLarge(cap): "pickle memo exceeds the cap of \(cap) entries"
        case let .memoMissing(i, o): "pickle memo has no entry \(i) (at byte \(o))"
        case let .tooManyObjects(cap): "pickle creates more than \(cap) objects"
        case let .badUTF8(o): "pickle string at byte \(o) is not valid UTF-8"
        case let .integerOverflow(o): "pickle integer at byte \(o) does not fit in 64 bits"
        case let .wrongType(ctx, e, f): "pickle \(ctx): expected \(e), found \(f)"
        case let .oddItemCount(o): "pickle SETITEMS at byte \(o) has an odd number of items"
        case let .unhashableKey(t): "pickle dict key of type \(t) is unhashable"
        case let .notCallable(what): "pickle calls \(what), which is not callable"
        case let .badArguments(c, why): "pickle call of \(c): \(why)"
        case let .badPersistentID(why): "bad pickle persistent id: \(why)"
        case let .buildNotAllowed(t): "pickle BUILD on \(t) is not allowed"
        case let .badStop(why): "bad pickle STOP: \(why)"
        case let .bytesAfterStop(n): "\(n) bytes follow the pickle's STOP"
        }
    }
}
