import IngotFormat

/// The globals a PyTorch state dict may name, modelled on `torch.load(weights_only=True)`'s allowlist. A pickle
/// names a global by module and name; `resolve` maps exactly these to a case and everything else to nil, which
/// the machine reports as `PickleError.disallowedGlobal`. Nothing is ever imported or called: each case's meaning
/// is implemented by `PickleMachine` itself.
enum PickleGlobal: Equatable, Sendable {
    case orderedDict
    case counter
    case rebuildTensorV2
    case rebuildTensorV3
    case rebuildParameter
    case rebuildParameterWithState
    /// `torch._tensor._rebuild_from_type_v2`: a tensor (or Parameter) with Python attributes.
    case rebuildFromTypeV2
    /// A typed storage class (`torch.FloatStorage`); `dtype.dtype` is nil for types Ingot cannot hold.
    case storageType(name: String, dtype: TorchDType)
    case untypedStorage
    case size
    case dtype(TorchDType)
    case device
    case tensorClass
    case parameterClass
    /// `_codecs.encode`: how protocol 2 pickles `bytes`.
    case codecsEncode
    case set
    case bytearray
    case complex

    /// The dotted path, for messages.
    var path: String {
        switch self {
        case .orderedDict: "collections.OrderedDict"
        case .counter: "collections.Counter"
        case .rebuildTensorV2: "torch._utils._rebuild_tensor_v2"
        case .rebuildTensorV3: "torch._utils._rebuild_tensor_v3"
        case .rebuildParameter: "torch._utils._rebuild_parameter"
        case .rebuildParameterWithState: "torch._utils._rebuild_parameter_with_state"
        case .rebuildFromTypeV2: "torch._tensor._rebuild_from_type_v2"
        case let .storageType(name, _): "torch.\(name)"
        case .untypedStorage: "torch.UntypedStorage"
        case .size: "torch.Size"
        case let .dtype(d): "torch.\(d.name)"
        case .device: "torch.device"
        case .tensorClass: "torch.Tensor"
        case .parameterClass: "torch.nn.parameter.Parameter"
        case .codecsEncode: "_codecs.encode"
        case .set: "builtins.set"
        case .bytearray: "builtins.bytearray"
        case .complex: "builtins.complex"
        }
    }

    /// Typed storage classes and the element type each holds (torch/storage.py).
    static let storageTypes: [String: String] = [
        "FloatStorage": "float32", "HalfStorage": "float16", "BFloat16Storage": "bfloat16",
        "DoubleStorage": "float64", "LongStorage": "int64", "IntStorage": "int32", "ShortStorage": "int16",
        "CharStorage": "int8", "ByteStorage": "uint8", "BoolStorage": "bool",
        // Known to torch, not to Ingot: accepted as globals so that the error names the dtype, not "disallowed".
        "ComplexFloatStorage": "complex64", "ComplexDoubleStorage": "complex128", "QInt8Storage": "qint8",
        "QUInt8Storage": "quint8", "QInt32Storage": "qint32", "QUInt4x2Storage": "quint4x2",
        "QUInt2x4Storage": "quint2x4",
    ]

    /// torch dtype names (`str(torch.float32)` minus `torch.`) with their aliases, and Ingot's type for each.
    static let dtypes: [String: DType] = [
        "float32": .f32, "float": .f32, "float16": .f16, "half": .f16, "bfloat16": .bf16, "float64": .f64,
        "double": .f64, "int64": .i64, "long": .i64, "int32": .i32, "int": .i32, "int16": .i16, "short": .i16,
        "int8": .i8, "uint8": .u8, "bool": .bool,
    ]
    /// torch dtypes Ingot has no type for: resolvable (so errors can name them) but never loadable.
    static let foreignDTypes: Set<String> = [
        "uint16", "uint32", "uint64", "complex32", "complex64", "complex128", "cfloat", "cdouble", "chalf",
        "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2",
        "qint8", "quint8", "qint32", "quint4x2", "quint2x4", "bits8", "bits16", "bits1x8", "bits2x4", "bits4x2",
    ]

    static func torchDType(_ name: String) -> TorchDType? {
        if let d = dtypes[name] { return TorchDType(name: name, dtype: d) }
        if foreignDTypes.contains(name) { return TorchDType(name: name, dtype: nil) }
        return nil
    }

    /// The allowlisted global `module.name`, or nil. Protocol 2 writes Python 3's `builtins` as `__builtin__`
    /// (fix_imports), so both spellings are accepted for the few builtins allowed.
    static func resolve(module: String, name: String) -> PickleGlobal? {
        switch (module, name) {
        case ("collections", "OrderedDict"): return .orderedDict
        case ("collections", "Counter"): return .counter
        case ("torch._utils", "_rebuild_tensor_v2"): return .rebuildTensorV2
        case ("torch._utils", "_rebuild_tensor_v3"): return .rebuildTensorV3
        case ("torch._utils", "_rebuild_parameter"): return .rebuildParameter
        case ("torch._utils", "_rebuild_parameter_with_state"): return .rebuildParameterWithState
        case ("torch._tensor", "_rebuild_from_type_v2"): return .rebuildFromTypeV2
        case ("torch", "UntypedStorage"), ("torch.storage", "UntypedStorage"): return .untypedStorage
        case ("torch", "Size"): return .size
        case ("torch", "device"): return .device
        case ("torch", "Tensor"), ("torch._tensor", "Tensor"): return .tensorClass
        case ("torch.nn.parameter", "Parameter"), ("torch.nn", "Parameter"): return .parameterClass
        case ("_codecs", "encode"): return .codecsEncode
        case ("builtins", "set"), ("__builtin__", "set"): return .set
        case ("builtins", "bytearray"), ("__builtin__", "bytearray"): return .bytearray
        case ("builtins", "complex"), ("__builtin__", "complex"): return .complex
        case ("torch", _):
            if let dtypeName = storageTypes[name], let d = torchDType(dtypeName) { return .storageType(name: name, dtype: d) }
            if let d = torchDType(name) { return .dtype(d) }
            return nil
        default: return nil
        }
    }
}
