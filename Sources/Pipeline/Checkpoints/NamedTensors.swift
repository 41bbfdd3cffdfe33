/// Tensors by name, in the order the file lists them (a flattened state_dict).
public struct NamedTensors: Sequence {
    /// The file they came from, for error messages.
    public let source: String
    public private(set) var names: [String] = []
    private var byName: [String: CheckpointTensor] = [:]

    public init(source: String) { self.source = source }

    public var count: Int { names.count }

    public subscript(name: String) -> CheckpointTensor? { byName[name] }

    /// The tensor called `name`, or an error naming the file and the missing tensor.
    public func tensor(_ name: String) throws -> CheckpointTensor {
        guard let tensor = byName[name] else {
            throw CheckpointError(.missingEntry, file: source, "tensor '\(name)' is missing")
        }
        return tensor
    }

    /// `tensor(name).floats()`, with the file named in any error.
    public func floats(_ name: String) throws -> [Float] {
        do { return try tensor(name).floats() } catch let error as ShapeError {
            throw CheckpointError(.malformed, file: source, "tensor '\(name)': \(error)")
        }
    }

    /// Adds or replaces a tensor (a replaced one keeps its position).
    public mutating func set(_ name: String, _ tensor: CheckpointTensor) {
        if byName.updateValue(tensor, forKey: name) == nil { names.append(name) }
    }

    public func makeIterator() -> some IteratorProtocol<(name: String, tensor: CheckpointTensor)> {
        names.lazy.map { (name: $0, tensor: byName[$0]!) }.makeIterator()
    }
}
