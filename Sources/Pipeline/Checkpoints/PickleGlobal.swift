/// The globals a checkpoint pickle may name: the allow-list. Each is a known constructor whose effect Pivot
/// reproduces itself (see `PickleMachine+Calls.swift`); any other `module.name` is refused.
public enum PickleGlobal: Equatable, CustomStringConvertible, Sendable {
    case orderedDict                // collections.OrderedDict
    case easyDict                   // dnnlib.util.EasyDict (a dict subclass)
    case namespace                  // argparse.Namespace (rosinality training checkpoints' `args`)
    case set, frozenset             // builtins.set / frozenset
    case codecsEncode               // _codecs.encode: how protocol 2 writes `bytes`
    case rebuildTensor              // torch._utils._rebuild_tensor (older writers)
    case rebuildTensorV2            // torch._utils._rebuild_tensor_v2
    case rebuildParameter           // torch._utils._rebuild_parameter
    case loadFromBytes              // torch.storage._load_from_bytes: a nested legacy torch.save blob
    case storageClass(TensorDType)  // torch.FloatStorage, torch.HalfStorage, ...
    case numpyScalar                // numpy.core.multiarray.scalar / numpy._core.multiarray.scalar
    case numpyDType                 // numpy.dtype
    case persistentObject           // torch_utils.persistence._reconstruct_persistent_obj

    /// Resolves `module.name`, or nil when it is not on the allow-list.
    public init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("dnnlib.util", "EasyDict"): self = .easyDict
        case ("argparse", "Namespace"): self = .namespace
        case ("builtins", "set"), ("__builtin__", "set"): self = .set
        case ("builtins", "frozenset"), ("__builtin__", "frozenset"): self = .frozenset
        case ("_codecs", "encode"): self = .codecsEncode
        case ("torch._utils", "_rebuild_tensor"): self = .rebuildTensor
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch.storage", "_load_from_bytes"): self = .loadFromBytes
        case ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"): self = .numpyScalar
        case ("numpy", "dtype"): self = .numpyDType
        case ("torch_utils.persistence", "_reconstruct_persistent_obj"): self = .persistentObject
        case ("torch", _):
            guard let dtype = TensorDType(torchStorageClass: name) else { return nil }
            self = .storageClass(dtype)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .orderedDict: "collections.OrderedDict"
        case .easyDict: "dnnlib.util.EasyDict"
        case .namespace: "argparse.Namespace"
        case .set: "builtins.set"
        case .frozenset: "builtins.frozenset"
        case .codecsEncode: "_codecs.encode"
        case .rebuildTensor: "torch._utils._rebuild_tensor"
        case .rebuildTensorV2: "torch._utils._rebuild_tensor_v2"
        case .rebuildParameter: "torch._utils._rebuild_parameter"
        case .loadFromBytes: "torch.storage._load_from_bytes"
        case .storageClass(let dtype): "torch storage class (\(dtype.rawValue))"
        case .numpyScalar: "numpy.core.multiarray.scalar"
        case .numpyDType: "numpy.dtype"
        case .persistentObject: "torch_utils.persistence._reconstruct_persistent_obj"
        }
    }
}
