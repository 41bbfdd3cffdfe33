/// Flattens a pickled object into `name → tensor` the way `state_dict()` names them: dict keys and module
/// attributes joined with dots; for a `torch_utils.persistence` module, its `_parameters`, then its persistent
/// `_buffers`, then its `_modules` recursively.
public enum StateDict {
    /// The name given to a file whose whole content is one tensor (e.g. an InterFaceGAN direction).
    public static let bareTensorName = "tensor"

    /// Limits that keep a hostile pickle (deep nesting, a memo reference shared many times) from taking
    /// unbounded time.
    static let maxDepth = 64
    static let maxVisits = 1_000_000

    public static func flatten(_ value: PickleValue, source: String) throws -> NamedTensors {
        var tensors = NamedTensors(source: source)
        var visits = 0
        try visit(value, prefix: "", depth: 0, visits: &visits, into: &tensors)
        return tensors
    }

    private static func visit(_ value: PickleValue, prefix: String, depth: Int, visits: inout Int,
                              into tensors: inout NamedTensors) throws {
        visits += 1
        guard depth <= maxDepth, visits <= maxVisits else {
            throw CheckpointError(.malformed, file: tensors.source, "object graph is too deep or too large near '\(prefix)'")
        }
        func join(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }
        switch value {
        case .tensor(let tensor):
            tensors.set(prefix.isEmpty ? bareTensorName : prefix, tensor)
        case .dict(let dict):
            for (key, item) in dict.entries {
                guard let name = key.stringValue ?? key.intValue.map(String.init) else { continue }
                try visit(item, prefix: join(name), depth: depth + 1, visits: &visits, into: &tensors)
            }
        case .persistentObject(let module):
            guard let state = module.state.dictValue else { return }
            var skipped = Set<String>()
            if case .set(let names)? = state["_non_persistent_buffers_set"] {
                skipped = Set(names.items.compactMap(\.stringValue))
            }
            for field in ["_parameters", "_buffers"] {
                for (key, item) in state[field]?.dictValue?.entries ?? [] {
                    guard let name = key.stringValue, !skipped.contains(name), case .tensor = item else { continue }
                    try visit(item, prefix: join(name), depth: depth + 1, visits: &visits, into: &tensors)
                }
            }
            for (key, child) in state["_modules"]?.dictValue?.entries ?? [] {
                guard let name = key.stringValue else { continue }
                try visit(child, prefix: join(name), depth: depth + 1, visits: &visits, into: &tensors)
            }
        default:
            break // numbers, strings, lists: not tensors of a state_dict
        }
    }
}
