import IngotFormat

/// REDUCE, NEWOBJ, BUILD and BINPERSID: what each allowlisted global means, implemented here (nothing is looked
/// up or called). Argument shapes follow torch's own definitions (torch/_utils.py, torch/serialization.py).
extension PickleMachine {
    /// REDUCE: `callable(*args)`.
    mutating func call(_ callable: PickleValue, _ args: PickleValue) throws(PickleError) -> PickleValue {
        guard case let .global(g) = callable else { throw .notCallable(callable.typeName) }
        guard case let .tuple(t) = args else { throw .wrongType(context: "REDUCE of \(g.path)", expected: "tuple", found: args.typeName) }
        let a = t.items
        func bad(_ why: String) -> PickleError { .badArguments(callable: g.path, reason: why) }
        switch g {
        case .orderedDict, .counter:
            let id = try newDict()
            if let items = a.first {
                // OrderedDict([(k, v), …]): pickle protocol 2 writes `()` and SETITEMS, but the list form is valid too.
                guard a.count == 1, case let .list(l) = items else { throw bad("expected no arguments or one list of pairs") }
                for pair in lists[l] {
                    guard case let .tuple(p) = pair, p.items.count == 2 else { throw bad("expected (key, value) pairs") }
                    try dicts[id].set(p.items[0], p.items[1])
                }
            }
            return .dict(id)
        case .rebuildTensorV2:
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            guard a.count == 6 || a.count == 7 else { throw bad("expected 6 or 7 arguments, got \(a.count)") }
            guard case let .storage(s) = a[0] else { throw bad("argument 1 is \(a[0].typeName), not a storage") }
            if a.count == 7 { try checkTensorMetadata(a[6], g) }
            return try newTensor(g, storage: s, dtype: storages[s].dtype, offset: a[1], size: a[2], stride: a[3])
        case .rebuildTensorV3:
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype[, metadata])
            guard a.count == 7 || a.count == 8 else { throw bad("expected 7 or 8 arguments, got \(a.count)") }
            guard case let .storage(s) = a[0] else { throw bad("argument 1 is \(a[0].typeName), not a storage") }
            guard case let .global(.dtype(d)) = a[6] else { throw bad("argument 7 is \(a[6].typeName), not a dtype") }
            if a.count == 8 { try checkTensorMetadata(a[7], g) }
            return try newTensor(g, storage: s, dtype: d, offset: a[1], size: a[2], stride: a[3])
        case .rebuildParameter, .rebuildParameterWithState:
            // (data, requires_grad, backward_hooks[, state]): a Parameter is its data for reading.
            guard a.count == (g == .rebuildParameter ? 3 : 4) else { throw bad("wrong argument count \(a.count)") }
            guard case .tensor = a[0] else { throw bad("data is \(a[0].typeName), not a tensor") }
            return a[0]
        case .rebuildFromTypeV2:
            // (func, new_type, args, state): a tensor subclass; only plain Tensor and Parameter are allowed.
            guard a.count == 4 else { throw bad("expected 4 arguments, got \(a.count)") }
            guard a[1] == .global(.tensorClass) || a[1] == .global(.parameterClass) else {
                throw bad("tensor type \(a[1].typeName) is not torch.Tensor or Parameter")
            }
            guard case let .global(f) = a[0], f != .rebuildFromTypeV2 else { throw bad("function \(a[0].typeName)") }
            let result = try call(a[0], a[2])
            guard case .tensor = result else { throw bad("function returned \(result.typeName), not a tensor") }
            return result
        case .size:
            if a.isEmpty { return try tuple([]) }
            guard a.count == 1, case let .tuple(dims) = a[0] else { throw bad("expected one tuple") }
            for d in dims.items { guard case .int = d else { throw bad("dimension \(d.typeName) is not an int") } }
            return a[0]
        case .device:
            guard (1...2).contains(a.count), case .string = a[0] else { throw bad("expected a device string") }
            return .opaque("torch.device")
        case .codecsEncode:
            // Protocol 2 pickles bytes b as _codecs.encode(b.decode('latin1'), 'latin1').
            guard a.count == 2, case let .string(s) = a[0], case let .string(enc) = a[1] else {
                throw bad("expected (str, encoding)")
            }
            switch enc.lowercased() {
            case "latin1", "latin-1", "iso-8859-1":
                var out: [UInt8] = []
                for u in s.unicodeScalars {
                    guard u.value < 256 else { throw bad("character U+\(String(u.value, radix: 16)) is not latin-1") }
                    out.append(UInt8(u.value))
                }
                return .bytes(out)
            case "utf-8", "utf8": return .bytes(Array(s.utf8))
            default: throw bad("encoding \(quoted(enc)) is not supported")
            }
        case .set:
            guard a.count <= 1 else { throw bad("expected at most one argument") }
            guard let source = a.first else { return .set(try newList([])) }
            switch source {
            case let .list(l), let .set(l): return .set(try newList(lists[l]))
            case let .tuple(t): return .set(try newList(t.items))
            default: throw bad("cannot make a set from \(source.typeName)")
            }
        case .bytearray:
            guard a.count <= 2 else { throw bad("expected at most two arguments") }
            return .opaque("bytearray")
        case .complex:
            guard a.count <= 2 else { throw bad("expected at most two arguments") }
            for x in a {
                switch x {
                case .int, .float: continue
                default: throw bad("part \(x.typeName) is not a number")
                }
            }
            return .opaque("complex")
        case .storageType, .untypedStorage, .dtype, .tensorClass, .parameterClass:
            throw .notCallable(g.path)
        }
    }

    /// NEWOBJ: `cls.__new__(cls, *args)`, for the classes whose construction is harmless.
    mutating func newObject(_ cls: PickleValue, _ args: PickleValue) throws(PickleError) -> PickleValue {
        guard case let .tuple(t) = args else { throw .wrongType(context: "NEWOBJ", expected: "tuple", found: args.typeName) }
        switch cls {
        case .global(.orderedDict), .global(.counter):
            return .dict(try newDict())  // __new__ ignores its arguments; items come with SETITEMS
        case .global(.parameterClass):
            // Parameter(data, requires_grad): torch's weights-only loader allows exactly this.
            guard (1...2).contains(t.items.count), case .tensor = t.items[0] else {
                throw .badArguments(callable: "torch.nn.parameter.Parameter", reason: "expected (tensor[, requires_grad])")
            }
            return t.items[0]
        default:
            throw .notCallable("NEWOBJ of \(cls.typeName)")
        }
    }

    /// BUILD: sets an object's state. For an OrderedDict the state is attributes (`_metadata` of a module's state
    /// dict); for a tensor, Python attributes of a Parameter. Neither changes tensor data, so both are dropped.
    func build(_ target: PickleValue, state: PickleValue) throws(PickleError) {
        switch target {
        case .dict, .tensor: return
        default: throw .buildNotAllowed(target.typeName)
        }
    }

    /// BINPERSID: `('storage', storage_type, key, location, numel)` names record `data/<key>` of the archive.
    mutating func persistentLoad(_ pid: PickleValue) throws(PickleError) -> PickleValue {
        guard case let .tuple(t) = pid else { throw .badPersistentID("a \(pid.typeName), not a tuple") }
        let a = t.items
        guard a.count == 5 else { throw .badPersistentID("\(a.count) items, expected 5") }
        guard a[0] == .string("storage") else { throw .badPersistentID("kind \(a[0].typeName) is not 'storage'") }
        let typeName: String, dtype: TorchDType
        switch a[1] {
        case let .global(.storageType(name, d)): (typeName, dtype) = (name, d)
        case .global(.untypedStorage): (typeName, dtype) = ("UntypedStorage", TorchDType(name: "uint8", dtype: .u8))
        default: throw .badPersistentID("storage type \(a[1].typeName) is not a storage class")
        }
        guard case let .string(key) = a[2] else { throw .badPersistentID("key is \(a[2].typeName), not a str") }
        guard case let .string(location) = a[3] else { throw .badPersistentID("location is \(a[3].typeName), not a str") }
        guard case let .int(numel) = a[4], numel >= 0 else { throw .badPersistentID("numel is not a non-negative int") }
        let s = PickleStorage(typeName: typeName, dtype: dtype, key: key, location: location, numel: numel)
        if let i = storageIndex[s] { return .storage(i) }
        try countObject()
        storages.append(s)
        storageIndex[s] = storages.count - 1
        return .storage(storages.count - 1)
    }

    /// `_rebuild_tensor_v2/v3` metadata: `set_tensor_metadata` flips the conj/neg bits, which change the values a
    /// view represents. Those views are refused; an empty or all-false metadata dict is fine.
    private func checkTensorMetadata(_ m: PickleValue, _ g: PickleGlobal) throws(PickleError) {
        switch m {
        case .none: return
        case let .dict(id):
            for (k, v) in zip(dicts[id].keys, dicts[id].values) where v != .bool(false) {
                let name = if case let .string(s) = k { s } else { k.typeName }
                throw .badArguments(callable: g.path, reason: "tensor metadata \(quoted(name)) is not supported")
            }
        default: throw .badArguments(callable: g.path, reason: "metadata is \(m.typeName), not a dict")
        }
    }

    private mutating func newTensor(_ g: PickleGlobal, storage: Int, dtype: TorchDType, offset: PickleValue,
                                    size: PickleValue, stride: PickleValue) throws(PickleError) -> PickleValue {
        func ints(_ v: PickleValue, _ what: String) throws(PickleError) -> [Int] {
            guard case let .tuple(t) = v else { throw .badArguments(callable: g.path, reason: "\(what) is \(v.typeName), not a tuple") }
            var out: [Int] = []
            out.reserveCapacity(t.items.count)
            for x in t.items {
                guard case let .int(i) = x else { throw .badArguments(callable: g.path, reason: "\(what) holds \(x.typeName)") }
                out.append(i)
            }
            return out
        }
        guard case let .int(off) = offset else {
            throw .badArguments(callable: g.path, reason: "storage offset is \(offset.typeName), not an int")
        }
        let shape = try ints(size, "size"), strides = try ints(stride, "stride")
        guard shape.count == strides.count else {
            throw .badArguments(callable: g.path, reason: "size has \(shape.count) dimensions, stride \(strides.count)")
        }
        try countObject()
        tensors.append(PickleTensor(storage: storage, dtype: dtype, offset: off, shape: shape, strides: strides))
        return .tensor(tensors.count - 1)
    }
}
