/// The container formats Pivot reads.
public enum CheckpointFormat: String, Codable, Sendable {
    case nvlabsSnapshot = "NVlabs snapshot pickle"
    case pickle = "pickle"
    case torchZip = "PyTorch zip"
    case torchLegacy = "PyTorch legacy"
    case safetensors = "safetensors"
    case numpy = "NumPy .npy"
}

/// A checkpoint file, opened and parsed without executing anything: its format, its pickled object (when it
/// has one) and its tensors by name. Tensors point into the memory-mapped file until they are converted.
public struct CheckpointFile {
    public let path: String
    public let format: CheckpointFormat
    /// The file's bytes (memory-mapped when opened from a path).
    public let buffer: ByteBuffer
    /// The unpickled object (`.none` for safetensors and .npy).
    public let root: PickleValue
    /// The tensors: G_ema's for an NVlabs snapshot (G and D are not flattened), else everything in the file.
    public let tensors: NamedTensors
    /// The network's constructor arguments, when the file holds a persistence module (G_ema, or torch.save(G)).
    public let initKwargs: PickleDict?
    /// safetensors `__metadata__`.
    public let metadata: [String: String]

    public static func open(_ path: String) throws -> CheckpointFile {
        try parse(ByteBuffer.mapping(path), file: path)
    }

    /// Parses bytes already in memory; `file` is the name used in errors.
    public static func parse(_ buffer: ByteBuffer, file: String) throws -> CheckpointFile {
        let bytes = buffer.bytes
        let whole = ByteSlice(buffer, 0..<buffer.count)
        if ZipArchive.hasMagic(bytes) {
            return try fromPickle(TorchZipFormat.read(buffer, file: file), format: .torchZip, buffer: buffer, file: file)
        }
        if TorchLegacyFormat.hasMagic(bytes) {
            return try fromPickle(TorchLegacyFormat.read(whole, file: file), format: .torchLegacy, buffer: buffer, file: file)
        }
        if NumpyArray.hasMagic(bytes) {
            var tensors = NamedTensors(source: file)
            tensors.set(StateDict.bareTensorName, try NumpyArray.read(whole, file: file))
            return CheckpointFile(path: file, format: .numpy, buffer: buffer, root: .none, tensors: tensors, initKwargs: nil, metadata: [:])
        }
        if Safetensors.hasMagic(bytes) {
            let contents = try Safetensors.read(buffer, file: file)
            return CheckpointFile(path: file, format: .safetensors, buffer: buffer, root: .none, tensors: contents.tensors,
                                  initKwargs: nil, metadata: contents.metadata)
        }
        if bytes.count >= 2 && bytes[0] == 0x80 && (2...5).contains(bytes[1]) {
            var machine = PickleMachine(ByteReader(whole, file: file)) { _, offset in
                throw CheckpointError(.refused, file: file, offset: offset, "persistent id in a plain pickle")
            }
            return try fromPickle(machine.run(), format: .pickle, buffer: buffer, file: file)
        }
        throw CheckpointError(.badMagic, file: file, offset: 0,
                              "not a checkpoint: the first bytes match no known format (zip, legacy torch, pickle, safetensors, npy)")
    }

    /// Picks the generator out of a snapshot dict (`G_ema`) or takes a pickled module or state_dict as it is.
    private static func fromPickle(_ root: PickleValue, format: CheckpointFormat, buffer: ByteBuffer, file: String) throws -> CheckpointFile {
        var network = root
        var format = format
        if let dict = root.dictValue, let generator = dict["G_ema"], case .persistentObject = generator {
            network = generator
            if format == .pickle { format = .nvlabsSnapshot }
        }
        var initKwargs: PickleDict?
        if case .persistentObject(let module) = network {
            initKwargs = module.state.dictValue?["_init_kwargs"]?.dictValue
        }
        let tensors = try StateDict.flatten(network, source: file)
        guard tensors.count > 0 else {
            throw CheckpointError(.missingEntry, file: file, "the \(format.rawValue) holds no tensors (a \(root.kindName))")
        }
        return CheckpointFile(path: file, format: format, buffer: buffer, root: root, tensors: tensors, initKwargs: initKwargs, metadata: [:])
    }
}
