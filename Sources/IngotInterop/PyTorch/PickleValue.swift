import IngotFormat

/// One value on the pickle machine's stack.
///
/// Lists, dicts and sets are mutable and shared in Python (a memoized dict is filled after it is stored), so they
/// live in the machine's arenas and a value holds their index: sharing and in-place mutation work, and no Swift
/// reference cycle or deep recursion can come from a hostile pickle. Only tuples nest by value; their depth is
/// capped (`PickleLimits.maxDepth`), so comparing or freeing them cannot overflow the stack.
enum PickleValue: Equatable, Sendable {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer beyond 64 bits: kept only as an opaque leaf (never a size, offset or count).
    case bigInt
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple(PickleTuple)
    /// Index into `PickleResult.lists`.
    case list(Int)
    /// Index into `PickleResult.lists` (a set's items, in insertion order).
    case set(Int)
    /// Index into `PickleResult.dicts`.
    case dict(Int)
    /// An allowlisted global, not yet called.
    case global(PickleGlobal)
    /// Index into `PickleResult.storages` (a persistent id).
    case storage(Int)
    /// Index into `PickleResult.tensors`.
    case tensor(Int)
    /// The result of an allowlisted call that holds no tensor data (`torch.device('cpu')`, a complex number…).
    case opaque(String)

    /// Python's name for the type, for error messages.
    var typeName: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .tuple: "tuple"
        case .list: "list"
        case .set: "set"
        case .dict: "dict"
        case let .global(g): g.path
        case .storage: "storage"
        case .tensor: "tensor"
        case let .opaque(t): t
        }
    }

    var depth: Int { if case let .tuple(t) = self { t.depth } else { 0 } }
}

/// A tuple with its nesting depth, computed once when it is built.
struct PickleTuple: Equatable, Sendable {
    let items: [PickleValue]
    let depth: Int

    init(_ items: [PickleValue]) {
        self.items = items
        depth = 1 + (items.lazy.map(\.depth).max() ?? 0)
    }
}

/// A dict (or `OrderedDict`/`Counter`): insertion-ordered, and setting an existing key replaces its value in place,
/// as in Python.
struct PickleDict: Sendable {
    private(set) var keys: [PickleValue] = []
    private(set) var values: [PickleValue] = []
    private var index: [PickleKey: Int] = [:]

    var count: Int { keys.count }

    mutating func set(_ key: PickleValue, _ value: PickleValue) throws(PickleError) {
        let k = try PickleKey(key)
        if let i = index[k] {
            values[i] = value
        } else {
            index[k] = keys.count
            keys.append(key)
            values.append(value)
        }
    }
}

/// A hashable image of a dict key. Python hashes only immutable values: lists, dicts and sets are refused; objects
/// (tensors, storages, globals) hash by identity, as they do in Python.
enum PickleKey: Hashable {
    case none
    case int(Int)
    case bigInt
    case float(UInt64)
    case string(ExactKey)
    case bytes([UInt8])
    case tuple([PickleKey])
    case object(String, Int)

    init(_ v: PickleValue) throws(PickleError) {
        switch v {
        case .none: self = .none
        // Python: True == 1 and hash(True) == hash(1), so they are the same key.
        case let .bool(b): self = .int(b ? 1 : 0)
        case let .int(i): self = .int(i)
        case .bigInt: self = .bigInt
        case let .float(d):
            // 2.0 == 2 in Python; other floats key by value (with -0.0 == 0.0).
            if d == d.rounded(), let i = Int(exactly: d) { self = .int(i) } else { self = .float((d == 0 ? 0 : d).bitPattern) }
        case let .string(s): self = .string(ExactKey(s))
        case let .bytes(b): self = .bytes(b)
        case let .tuple(t):
            var items: [PickleKey] = []
            items.reserveCapacity(t.items.count)
            for item in t.items { items.append(try PickleKey(item)) }
            self = .tuple(items)
        case .list, .set, .dict: throw .unhashableKey(v.typeName)
        case let .global(g): self = .object(g.path, 0)
        case let .storage(i): self = .object("storage", i)
        case let .tensor(i): self = .object("tensor", i)
        case let .opaque(t): self = .object(t, 0)
        }
    }
}

/// A torch dtype as a pickle names it (`float32`), with Ingot's `DType` when Ingot has one.
struct TorchDType: Hashable, Sendable {
    let name: String
    let dtype: DType?

    /// Element size in bytes of the torch dtypes this reader can meet (nil for the few it cannot size).
    var elementSize: Int? { dtype?.scalarSize }
}

/// A storage named by a persistent id: `('storage', torch.FloatStorage, '0', 'cpu', 12)`.
struct PickleStorage: Hashable, Sendable {
    /// The storage type's name (`FloatStorage`, `UntypedStorage`).
    let typeName: String
    /// The element type; `UntypedStorage` counts bytes (`uint8`).
    let dtype: TorchDType
    /// The record name under `data/`.
    let key: String
    let location: String
    /// Elements of `dtype`.
    let numel: Int
}

/// A tensor rebuilt by `_rebuild_tensor_v2/v3`: a strided view of one storage, in elements of `dtype`.
struct PickleTensor: Equatable, Sendable {
    let storage: Int
    let dtype: TorchDType
    let offset: Int
    let shape: [Int]
    let strides: [Int]
}

/// What a pickle evaluates to: the root value and the arenas its indices point into.
struct PickleResult: Sendable {
    var root: PickleValue
    var lists: [[PickleValue]]
    var dicts: [PickleDict]
    var tensors: [PickleTensor]
    var storages: [PickleStorage]
}
