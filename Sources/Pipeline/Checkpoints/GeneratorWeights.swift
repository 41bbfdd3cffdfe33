import Foundation

/// A StyleGAN2 generator's weights under NVlabs G_ema state_dict names, with its architecture. Every tensor
/// has been checked against `config.expectedTensors`. This is what the rendering and tuning stages load.
public struct GeneratorWeights {
    public let config: GeneratorConfig
    /// NVlabs names (`synthesis.b64.conv0.weight`, `mapping.w_avg`, ...), in state_dict order.
    public let tensors: NamedTensors
    /// How the file stored them, e.g. "NVlabs snapshot pickle (G_ema)".
    public let source: String
    /// What the weights were loaded as (`--model PATH|NAME`) and the file read; nil for weights made in memory.
    let origin: (model: String, file: CheckpointFile)?

    /// safetensors metadata key under which Pivot stores the architecture as JSON.
    public static let configMetadataKey = "pivot.generator"
    /// safetensors metadata key under which the model store records the imported file's SHA-256.
    static let sourceDigestMetadataKey = "pivot.source_sha256"

    /// Weights made in memory (tests, tools): every tensor is checked against `config` as for a file.
    public init(config: GeneratorConfig, tensors: NamedTensors, source: String) throws {
        try config.check(tensors)
        self.init(config: config, tensors: Self.reordered(tensors, as: config), source: source, origin: nil)
    }

    private init(config: GeneratorConfig, tensors: NamedTensors, source: String, origin: (model: String, file: CheckpointFile)?) {
        self.config = config
        self.tensors = tensors
        self.source = source
        self.origin = origin
    }

    /// Loads a generator from a checkpoint file path or a model-store name (`--model PATH|NAME`).
    public static func load(model: String, store: ModelStore = ModelStore()) throws -> GeneratorWeights {
        try load(CheckpointFile.open(store.resolve(model)), model: model)
    }

    /// True when the file holds something `load` reads as a generator (it may still fail the shape check).
    public static func isGenerator(_ file: CheckpointFile) -> Bool {
        file.initKwargs != nil || file.metadata[configMetadataKey] != nil || RosinalityLayout.matches(file.tensors)
            || file.tensors["synthesis.b4.const"] != nil
    }

    /// Reads the generator out of any supported checkpoint: an NVlabs snapshot or `torch.save(G)`
    /// (init_kwargs decide the architecture), an NVlabs-named state_dict (architecture inferred from shapes),
    /// a rosinality `g_ema` checkpoint, or a Pivot model-store safetensors file.
    /// `model` is what the user named (a path or a store name), recorded in `identity()`.
    public static func load(_ file: CheckpointFile, model: String? = nil) throws -> GeneratorWeights {
        var tensors = file.tensors
        let config: GeneratorConfig
        let source: String
        if let kwargs = file.initKwargs {
            config = try GeneratorConfig(initKwargs: kwargs, file: file.path)
            source = file.format == .nvlabsSnapshot ? "\(file.format.rawValue) (G_ema)" : "\(file.format.rawValue) (pickled Generator)"
        } else if let json = file.metadata[configMetadataKey] {
            do {
                config = try JSONDecoder().decode(GeneratorConfig.self, from: Data(json.utf8))
                try config.validate()
            } catch {
                throw CheckpointError(.malformed, file: file.path, "metadata '\(configMetadataKey)' is not a valid architecture: \(error)")
            }
            source = "Pivot model store"
        } else if RosinalityLayout.matches(tensors) {
            (config, tensors) = try RosinalityLayout.convert(tensors)
            source = "\(file.format.rawValue) (rosinality g_ema)"
        } else if tensors["synthesis.b4.const"] != nil {
            config = try GeneratorConfig(inferringFrom: tensors)
            source = "\(file.format.rawValue) (G_ema state_dict)"
        } else {
            throw CheckpointError(.architecture, file: file.path,
                                  "\(file.format.rawValue) holds no StyleGAN2 generator (no synthesis.b4.const, g_ema or G_ema)")
        }
        try config.check(tensors)
        return GeneratorWeights(config: config, tensors: reordered(tensors, as: config), source: source,
                                origin: (model ?? file.path, file))
    }

    /// The tensors in the canonical state_dict order of `config` (files may list them differently).
    private static func reordered(_ tensors: NamedTensors, as config: GeneratorConfig) -> NamedTensors {
        var ordered = NamedTensors(source: tensors.source)
        for (name, _) in config.expectedTensors { if let tensor = tensors[name] { ordered.set(name, tensor) } }
        return ordered
    }
}
