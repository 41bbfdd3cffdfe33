/// A value produced by the pickle machine. Only the shapes the allowed globals build exist: there is no
/// generic "object", so nothing a pickle names can run code.
public enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer too wide for `Int` (e.g. the legacy magic number): little-endian two's complement bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes(ByteSlice)
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    case set(PickleList)
    case global(PickleGlobal)
    case storage(TensorStorage)
    case tensor(CheckpointTensor)
    /// A `torch_utils.persistence` object: its class name and its `__dict__` (never its module source).
    case persistentObject(PersistentObject)
    case numpyDType(NumpyDType)

    /// A short name of the value's kind for error messages.
    var kindName: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int, .bigInt: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .tuple: "tuple"
        case .list: "list"
        case .dict: "dict"
        case .set: "set"
        case .global(let global): "global \(global)"
        case .storage: "storage"
        case .tensor: "tensor"
        case .persistentObject(let object): "persistent object \(object.className)"
        case .numpyDType: "numpy dtype"
        }
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var intValue: Int? {
        switch self {
        case .int(let i): i
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case .float(let d): d
        case .int(let i): Double(i)
        default: nil
        }
    }
    public var dictValue: PickleDict? { if case .dict(let d) = self { d } else { nil } }
    public var tensorValue: CheckpointTensor? { if case .tensor(let t) = self { t } else { nil } }
    var items: [PickleValue]? {
        switch self {
        case .tuple(let items): items
        case .list(let list): list.items
        default: nil
        }
    }
}

/// A pickled list (a class: lists are shared through the memo and filled after they are created).
public final class PickleList {
    public var items: [PickleValue]
    init(_ items: [PickleValue] = []) { self.items = items }
}

/// A pickled dict, keeping insertion order (state_dicts are ordered). Later writes to a key replace earlier ones.
public final class PickleDict {
    public private(set) var entries: [(key: PickleValue, value: PickleValue)] = []
    private var indexByKey: [String: Int] = [:]

    init() {}

    /// Keys compare by their printed form; checkpoints only use str and int keys.
    private static func keyText(_ key: PickleValue) -> String? {
        switch key {
        case .string(let s): "s:" + s
        case .int(let i): "i:\(i)"
        default: nil
        }
    }

    func set(_ key: PickleValue, _ value: PickleValue) {
        if let text = Self.keyText(key) {
            if let existing = indexByKey[text] {
                entries[existing].value = value
                return
            }
            indexByKey[text] = entries.count
        }
        entries.append((key, value))
    }

    public subscript(_ key: String) -> PickleValue? {
        indexByKey["s:" + key].map { entries[$0].value }
    }

    public var count: Int { entries.count }
}

public final class PersistentObject {
    public let className: String
    public let state: PickleValue
    init(className: String, state: PickleValue) {
        self.className = className
        self.state = state
    }
}

/// `numpy.dtype(descr)`; its byte order arrives later through BUILD.
public final class NumpyDType {
    public let descr: String
    public var byteOrder: String = "<"
    init(descr: String) { self.descr = descr }
}
