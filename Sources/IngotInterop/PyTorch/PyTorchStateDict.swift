import IngotFormat

/// A state dict flattened into named tensors, the way torch names a module's state: nested dict keys joined with
/// "." (`{"model": {"fc": {"weight": t}}}` → `model.fc.weight`), int keys in decimal (an optimizer's
/// `state.0.exp_avg`), list and tuple items by index.
///
/// Keys are names. torch.load (weights_only too) accepts a dict keyed by anything hashable, but a module's
/// state_dict, an optimizer's and a training checkpoint's top level are keyed by str, `load_state_dict` cannot use
/// any other key, and safetensors refuses one. So a top-level key and the key that holds a tensor must be strs:
/// `{5: t}` is refused rather than read as a tensor named "5". An int key inside (the optimizer's per-parameter
/// `state.0`, which torch.optim writes) is one component of a name, in decimal.
///
/// Non-tensor leaves are not tensors, but they are not thrown away either: a bool, int, finite float or str held
/// directly by a dict is recorded as typed metadata under its flattened name (`"epoch": 3`). Everything else that
/// is not a tensor — None, bytes, sets, big integers, non-finite floats, scalars inside lists or tuples, bare
/// storages, torch.device objects, the `_metadata` attribute of a module's OrderedDict — is skipped.
struct PyTorchStateDict {
    struct Entry {
        let name: String
        let tensor: Int
    }

    private(set) var entries: [Entry] = []
    private(set) var metadata = JSONObject()
    private var names = Set<ExactKey>()
    private var visits = 0
    private let result: PickleResult
    private let limits: PickleLimits

    init(_ result: PickleResult, limits: PickleLimits) throws(PyTorchError) {
        self.result = result
        self.limits = limits
        guard case .dict = result.root else { throw .notAStateDict(found: result.root.typeName) }
        try visit(result.root, prefix: "", depth: 0)
    }

    private mutating func visit(_ v: PickleValue, prefix: String, depth: Int) throws(PyTorchError) {
        // A cycle (a dict holding itself) also ends here.
        guard depth <= limits.maxDepth else { throw .nestingTooDeep(cap: limits.maxDepth) }
        // Shared containers make a DAG whose paths can grow exponentially with its size: count every visit.
        visits += 1
        guard visits <= limits.maxObjects else { throw .tooManyEntries(cap: limits.maxObjects) }
        switch v {
        case let .tensor(t):
            guard TensorEntry.isValidName(prefix) else { throw .badName(prefix) }
            guard names.insert(ExactKey(prefix)).inserted else { throw .duplicateName(prefix) }
            entries.append(Entry(name: prefix, tensor: t))
        case let .dict(id):
            let d = result.dicts[id]
            for (k, value) in zip(d.keys, d.values) {
                let key: String
                switch k {
                case let .string(s): key = s
                case let .int(i):
                    if prefix.isEmpty { throw .intKey(path: prefix, key: i) }
                    if case .tensor = value { throw .intKey(path: prefix, key: i) }
                    key = String(i)
                default: throw .badKey(path: prefix, type: k.typeName)
                }
                let name = prefix.isEmpty ? key : prefix + "." + key
                guard name.utf8.count <= Limits.maxNameBytes else { throw .badName(name) }
                if let scalar = Self.scalar(value) {
                    metadata[name] = scalar
                } else {
                    try visit(value, prefix: name, depth: depth + 1)
                }
            }
        case let .list(id):
            try visitItems(result.lists[id], prefix: prefix, depth: depth)
        case let .tuple(t):
            try visitItems(t.items, prefix: prefix, depth: depth)
        default:
            return
        }
    }

    private mutating func visitItems(_ items: [PickleValue], prefix: String, depth: Int) throws(PyTorchError) {
        for (i, item) in items.enumerated() {
            // Only containers and tensors can hold tensors; skipping scalars here keeps lists of ints cheap.
            switch item {
            case .tensor, .dict, .list, .tuple:
                let name = prefix.isEmpty ? String(i) : prefix + "." + String(i)
                guard name.utf8.count <= Limits.maxNameBytes else { throw .badName(name) }
                try visit(item, prefix: name, depth: depth + 1)
            default: continue
            }
        }
    }

    /// The metadata value of a scalar leaf, nil for anything else.
    private static func scalar(_ v: PickleValue) -> JSONValue? {
        switch v {
        case let .bool(b): .bool(b)
        case let .int(i): .int(Int64(i))
        case let .float(d) where d.isFinite: .double(d)
        case let .string(s): .string(s)
        default: nil
        }
    }
}
